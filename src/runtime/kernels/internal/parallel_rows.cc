#include "runtime/kernels/internal/parallel_rows.h"

#include "runtime/flush_denormals.h"

namespace tern {

void SplitRowRange(int64_t rows, const std::function<void(int64_t begin, int64_t end)>& fn) {
  const IntraOpThreads::OpScope cores;
  const int threads = static_cast<int>(std::min<int64_t>(cores.threads(), rows));
  if (threads <= 1) {
    fn(0, rows);
    return;
  }
#pragma omp parallel for num_threads(threads) schedule(static, 1)
  for (int part = 0; part < threads; ++part) {
    // OpenMP's workers do not inherit the calling thread's floating-point mode.
    const FlushDenormals as_the_calling_thread;
    const int64_t begin = rows * part / threads;
    const int64_t end = rows * (part + 1) / threads;
    if (begin < end) fn(begin, end);
  }
}

}  // namespace tern
