#include "runtime/kernels/gemm.h"

namespace tern {
namespace {

struct Choice {
  void (*fn)(const GemmArgs&);
  const char* name;
};

Choice Choose() {
#if defined(__x86_64__) && defined(__GNUC__)
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq")) {
    return {&GemmAvx512, "avx512"};
  }
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) {
    return {&GemmAvx2Fma, "avx2_fma"};
  }
#endif
  return {&GemmBaseline, "baseline"};
}

const Choice& TheChoice() {
  static const Choice choice = Choose();
  return choice;
}

}  // namespace

void Gemm(const GemmArgs& args) { TheChoice().fn(args); }

std::string GemmIsa() { return TheChoice().name; }

}  // namespace tern
