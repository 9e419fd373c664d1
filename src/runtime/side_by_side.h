// RunSideBySide: one piece of work per thread, all at once, for the branches of a plan section
// (plan.cc). The calling thread is thread 0; the others are OpenMP workers, set up to work for
// the caller's run: tensors they allocate are charged to its memory account, denormals flush as
// on the caller, and a run they start (a function call) holds no core of its own, since the
// caller borrowed theirs (IntraOpThreads::OpScope). Ops on them find no idle core and stay on
// their thread. Thread-safe; returns when every thread has.
#pragma once

#include <functional>

namespace tern {

// `fn` must not throw.
void RunSideBySide(int threads, const std::function<void(int thread)>& fn);

}  // namespace tern
