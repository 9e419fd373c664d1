// PoolRows (internal/vector_math.h), every ISA build this CPU can run, against the plain loops
// MaxPool and AvgPool ran before: the same bits for every channel count around the vector
// blocks, windows cut by padding on every side, strides, and -inf, NaN and the lowest float.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <limits>
#include <random>
#include <vector>

#include "runtime/kernels/internal/vector_math.h"

namespace tern {
namespace {

struct Isa {
  const char* name;
  void (*fn)(const PoolArgs&);
  bool runs_here;
};

std::vector<Isa> Isas() {
  __builtin_cpu_init();
  return {{"baseline", &PoolRowsBaseline, true},
          {"avx2_fma", &PoolRowsAvx2Fma,
           __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")},
          {"avx512", &PoolRowsAvx512,
           __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq")},
          {"dispatched", &PoolRows, true}};
}

// The reference: one channel at a time, in window order.
void ReferencePool(const PoolArgs& a, int64_t batch, std::vector<float>* out) {
  for (int64_t n = 0; n < batch; ++n) {
    for (int64_t oh = 0; oh < a.out_h; ++oh) {
      for (int64_t ow = 0; ow < a.out_w; ++ow) {
        for (int64_t j = 0; j < a.channels; ++j) {
          float best = std::numeric_limits<float>::lowest(), sum = 0;
          int64_t count = 0;
          for (int64_t kh = 0; kh < a.k_h; ++kh) {
            const int64_t ih = oh * a.stride_h - a.pad_top + kh;
            if (ih < 0 || ih >= a.in_h) continue;
            for (int64_t kw = 0; kw < a.k_w; ++kw) {
              const int64_t iw = ow * a.stride_w - a.pad_left + kw;
              if (iw < 0 || iw >= a.in_w) continue;
              const float x = a.in[((n * a.in_h + ih) * a.in_w + iw) * a.channels + j];
              best = x > best ? x : best;
              sum += x;
              ++count;
            }
          }
          const float want = a.kind == PoolArgs::Kind::kMax ? best
                             : count > 0                    ? sum / static_cast<float>(count)
                                                            : 0.0f;
          (*out)[((n * a.out_h + oh) * a.out_w + ow) * a.channels + j] = want;
        }
      }
    }
  }
}

TEST(PoolRowsTest, EveryIsaGivesTheBitsOfThePlainLoops) {
  std::mt19937 rng(7);
  std::uniform_real_distribution<float> dist(-3, 3);
  const float specials[] = {-std::numeric_limits<float>::infinity(),
                            std::numeric_limits<float>::quiet_NaN(),
                            std::numeric_limits<float>::lowest(), 0.0f};
  int cases = 0;
  for (int64_t channels : {1, 3, 16, 17, 64, 70, 96, 145}) {
    for (int64_t stride : {1, 2}) {
      for (int64_t pad : {0, 1, 2}) {
        for (PoolArgs::Kind kind : {PoolArgs::Kind::kMax, PoolArgs::Kind::kAverage}) {
          const int64_t batch = 2, in_h = 7, in_w = 5, k = 3;
          std::vector<float> in(batch * in_h * in_w * channels);
          for (size_t i = 0; i < in.size(); ++i) {
            in[i] = i % 29 == 5 ? specials[(i / 29) % 4] : dist(rng);
          }
          PoolArgs a{.in = in.data(),
                     .in_h = in_h,
                     .in_w = in_w,
                     .channels = channels,
                     .out_h = (in_h + 2 * pad - k) / stride + 1,
                     .out_w = (in_w + 2 * pad - k) / stride + 1,
                     .k_h = k,
                     .k_w = k,
                     .stride_h = stride,
                     .stride_w = stride,
                     .pad_top = pad,
                     .pad_left = pad,
                     .first_row = 0,
                     .end_row = batch * ((in_h + 2 * pad - k) / stride + 1),
                     .kind = kind};
          const size_t out_size = static_cast<size_t>(a.end_row * a.out_w * channels);
          std::vector<float> want(out_size);
          ReferencePool(a, batch, &want);
          for (const Isa& isa : Isas()) {
            if (!isa.runs_here) continue;
            std::vector<float> got(out_size, 123.0f);
            a.out = got.data();
            // In two calls, as the cores split it.
            PoolArgs first = a, second = a;
            first.end_row = a.end_row / 2;
            second.first_row = first.end_row;
            isa.fn(first);
            isa.fn(second);
            ASSERT_EQ(std::memcmp(got.data(), want.data(), out_size * sizeof(float)), 0)
                << isa.name << " channels=" << channels << " stride=" << stride << " pad=" << pad
                << " average=" << (kind == PoolArgs::Kind::kAverage);
            ++cases;
          }
        }
      }
    }
  }
  EXPECT_GE(cases, 96);
}

}  // namespace
}  // namespace tern
