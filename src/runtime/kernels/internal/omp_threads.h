// The OpenMP thread count of the calling thread, which oneDNN's calls (convolutions, sgemm) use
// for their parallel regions: Debian builds oneDNN with OpenMP, whose default is one thread per
// core, so every caller sets the count IntraOpThreads lent it before each call.
// Thread-safe (the count is per thread).
#pragma once

namespace tern {

// omp_set_num_threads(threads) on the calling thread, skipped when it already has that count.
void UseOmpThreads(int threads);

// The calling thread's count may have changed behind UseOmpThreads' back: a parallel region
// began or ended (the count is per OpenMP task, so one set inside a region is gone after it).
// The next UseOmpThreads sets it again.
void ForgetOmpThreads();

}  // namespace tern
