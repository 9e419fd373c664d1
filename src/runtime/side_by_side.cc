#include "runtime/side_by_side.h"

#include <omp.h>

#include <memory>
#include <optional>

#include "runtime/flush_denormals.h"
#include "runtime/intra_op.h"
#include "runtime/kernels/internal/omp_threads.h"
#include "runtime/tensor.h"  // RunMemoryScope

namespace tern {

void RunSideBySide(int threads, const std::function<void(int thread)>& fn) {
  if (threads <= 1) {
    fn(0);
    return;
  }
  const std::shared_ptr<RunMemory> memory = RunMemoryScope::Current();
#pragma omp parallel num_threads(threads)
  {
    const int thread = omp_get_thread_num();
    ForgetOmpThreads();  // each thread's count inside the region is the region's own
    if (thread == 0) {
      fn(0);
    } else {
      const RunMemoryScope charged_to_the_callers_run(memory);
      const FlushDenormals as_the_calling_thread;
      const IntraOpThreads::LentCoreScope on_a_borrowed_core;
      fn(thread);
    }
  }
  ForgetOmpThreads();  // the count set inside the region is gone with it
}

}  // namespace tern
