// FlushDenormals: while in scope, the calling thread's float arithmetic treats denormal inputs
// and results as zero (x86 MXCSR FTZ and DAZ), as TensorFlow's executor runs every kernel.
// Results then match TensorFlow's where values underflow (a softmax over masked logits, whose
// exp lands in the denormal range), and such values cost no more than others: a denormal
// operand takes a microcode assist of ~100 cycles on x86. Restores the previous mode on exit.
// Per thread; a no-op on other architectures.
#pragma once

#if defined(__x86_64__) || defined(__i386__)
#include <xmmintrin.h>
#endif

namespace tern {

class FlushDenormals {
 public:
#if defined(__x86_64__) || defined(__i386__)
  FlushDenormals() : saved_(_mm_getcsr()) { _mm_setcsr(saved_ | kFlushToZero | kDenormalsAreZero); }
  ~FlushDenormals() { _mm_setcsr(saved_); }
#else
  FlushDenormals() = default;
#endif
  FlushDenormals(const FlushDenormals&) = delete;
  FlushDenormals& operator=(const FlushDenormals&) = delete;

 private:
#if defined(__x86_64__) || defined(__i386__)
  static constexpr unsigned kFlushToZero = 0x8000;
  static constexpr unsigned kDenormalsAreZero = 0x0040;
  unsigned saved_;
#endif
};

}  // namespace tern
