#include "runtime/kernels/internal/omp_threads.h"

#include <omp.h>

namespace tern {

namespace {
// Cheap to set, but set only on change. One cache for every caller, so none skips a change
// another made. 0: unknown.
thread_local int current = 0;
}  // namespace

void ForgetOmpThreads() { current = 0; }

void UseOmpThreads(int threads) {
  if (current != threads) {
    omp_set_num_threads(threads);
    current = threads;
  }
}

}  // namespace tern
