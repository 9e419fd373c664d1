#include "runtime/kernels/internal/fused_activation.h"

#include <algorithm>
#include <cmath>

#include "runtime/kernels/internal/vector_math.h"

namespace tern {

std::optional<FusedActivation> FusedActivationNamed(const std::string& name, bool gelu) {
  if (name == "Relu") return FusedActivation::kRelu;
  if (name == "Relu6") return FusedActivation::kRelu6;
  if (name == "Elu") return FusedActivation::kElu;
  if (name == "LeakyRelu") return FusedActivation::kLeakyRelu;
  if (name == "Sigmoid") return FusedActivation::kSigmoid;
  if (name == "_MklSwish") return FusedActivation::kSwish;
  if (gelu && name == "GeluApproximate") return FusedActivation::kGeluApproximate;
  if (gelu && name == "GeluExact") return FusedActivation::kGeluExact;
  return std::nullopt;
}

float ApplyFusedActivation(FusedActivation activation, float alpha, float v) {
  switch (activation) {
    case FusedActivation::kNone: return v;
    case FusedActivation::kRelu: return v > 0.f ? v : 0.f;
    case FusedActivation::kRelu6: return std::min(std::max(v, 0.f), 6.f);
    case FusedActivation::kElu: return v > 0.f ? v : std::expm1(v);
    case FusedActivation::kLeakyRelu: return v > 0.f ? v : v * alpha;
    case FusedActivation::kSigmoid: return 1.f / (1.f + std::exp(-v));
    case FusedActivation::kSwish: return v / (1.f + std::exp(-alpha * v));
    case FusedActivation::kGeluApproximate:
    case FusedActivation::kGeluExact: return v;
  }
  return v;
}

std::optional<StoreActivation> AsStoreActivation(FusedActivation activation) {
  switch (activation) {
    case FusedActivation::kNone: return StoreActivation::kNone;
    case FusedActivation::kRelu: return StoreActivation::kRelu;
    case FusedActivation::kRelu6: return StoreActivation::kRelu6;
    case FusedActivation::kElu:
    case FusedActivation::kLeakyRelu:
    case FusedActivation::kSigmoid:
    case FusedActivation::kSwish:
    case FusedActivation::kGeluApproximate:
    case FusedActivation::kGeluExact: return std::nullopt;
  }
  return std::nullopt;
}

void AddBiasToRows(const float* bias, int64_t rows, int64_t n, float* c) {
  for (int64_t i = 0; i < rows; ++i) {
    float* row = c + i * n;
    for (int64_t j = 0; j < n; ++j) row[j] += bias[j];
  }
}

void ApplyFusedActivationInPlace(FusedActivation activation, float alpha, float* data, int64_t n) {
  switch (activation) {
    case FusedActivation::kNone: return;
    case FusedActivation::kRelu:
      for (int64_t i = 0; i < n; ++i) data[i] = data[i] > 0.f ? data[i] : 0.f;
      return;
    case FusedActivation::kRelu6:
      for (int64_t i = 0; i < n; ++i) data[i] = std::min(std::max(data[i], 0.f), 6.f);
      return;
    case FusedActivation::kLeakyRelu:
      for (int64_t i = 0; i < n; ++i) data[i] = data[i] > 0.f ? data[i] : data[i] * alpha;
      return;
    case FusedActivation::kGeluApproximate: GeluApproximate(data, n, data); return;
    case FusedActivation::kGeluExact: GeluExact(data, n, data); return;
    case FusedActivation::kElu:
    case FusedActivation::kSigmoid:
    case FusedActivation::kSwish:
      for (int64_t i = 0; i < n; ++i) data[i] = ApplyFusedActivation(activation, alpha, data[i]);
      return;
  }
}

}  // namespace tern
