// IntraOpThreads: how many cores one large op (a convolution, a GEMM) may use at once.
//
// A run holds one core, the thread it runs on (RunScope, opened by Plan::Run for the outermost
// run on a thread). A large op asks for more (OpScope): it gets the cores no run and no other op
// holds, up to the limit, and gives them back when it ends. So one request on an idle server
// spreads its large ops over the idle cores, while under load every core runs its own request and
// ops stay on their calling thread: the cores in use never exceed the machine's.
// Process-wide state; every function is thread-safe.
#pragma once

namespace tern {

class IntraOpThreads {
 public:
  // At most this many threads per op, the calling one included; <= 0 means one per core.
  // Default 1: every op on its calling thread.
  static void SetLimit(int threads);
  static int Limit();
  static int Cores();
  // The threads an OpScope opened now on this thread would have (>= 1): a hint for choosing a
  // kernel that splits better, since other runs may take or free cores the next moment.
  static int AvailableNow();

  // Marks the calling thread's run as holding a core for the scope's life. Nested scopes on the
  // same thread (a function call inside a run) hold nothing more.
  class RunScope {
   public:
    RunScope();
    ~RunScope();
    RunScope(const RunScope&) = delete;
    RunScope& operator=(const RunScope&) = delete;

   private:
    bool outermost_;
  };

  // Borrows idle cores for one op (or for the branches of a plan run side by side): at most
  // max_threads - 1 of them. threads() >= 1 counts the calling thread.
  class OpScope {
   public:
    OpScope() : OpScope(kAnyThreads) {}
    explicit OpScope(int max_threads);
    ~OpScope();
    OpScope(const OpScope&) = delete;
    OpScope& operator=(const OpScope&) = delete;
    int threads() const { return 1 + borrowed_; }

   private:
    static constexpr int kAnyThreads = 1 << 20;
    int borrowed_ = 0;
  };

  // Marks the calling thread as working for a run on a core that run borrowed (a helper thread
  // running some of its branches): a run inside it (a function call) holds no core of its own.
  class LentCoreScope {
   public:
    LentCoreScope();
    ~LentCoreScope();
    LentCoreScope(const LentCoreScope&) = delete;
    LentCoreScope& operator=(const LentCoreScope&) = delete;
  };
};

}  // namespace tern
