#include "runtime/kernels/internal/omp_threads.h"

#include <omp.h>

namespace tern {

void UseOmpThreads(int threads) {
  // Cheap to set, but set only on change. One cache for every caller, so none skips a change
  // another made.
  thread_local int current = 0;
  if (current != threads) {
    omp_set_num_threads(threads);
    current = threads;
  }
}

}  // namespace tern
