#include "runtime/kernels/internal/onednn_matmul.h"

#include <oneapi/dnnl/dnnl.hpp>

#include <array>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <utility>

#include "runtime/intra_op.h"
#include "runtime/kernels/internal/omp_threads.h"
#include "runtime/kernels/internal/onednn_common.h"

namespace tern {

using dnnl::memory;
using Tag = memory::format_tag;

struct OneDnnMatMul::Primitive {
  dnnl::matmul matmul;
  memory::desc src, weights, bias, dst, scratchpad;
  memory::desc user_weights;  // as TensorFlow lays them out

  std::unique_ptr<const OneDnnArgsPool> args;  // set once the descs are known
};

struct OneDnnMatMul::State {
  std::mutex mu;
  // By rows, inner size, columns and threads (oneDNN fixes a primitive's thread count when it
  // creates it); nullptr: oneDNN has no implementation.
  std::map<std::array<int64_t, 4>, std::shared_ptr<const Primitive>> primitives;
  ReorderedWeights weights;
};

OneDnnMatMul::OneDnnMatMul(bool transpose_b, MatMulEpilogue epilogue)
    : transpose_b_(transpose_b), epilogue_(epilogue), state_(new State()) {}

OneDnnMatMul::~OneDnnMatMul() = default;

std::shared_ptr<const OneDnnMatMul::Primitive> OneDnnMatMul::PrimitiveFor(int64_t m, int64_t k,
                                                                          int64_t n) const {
  auto md = [](memory::dims dims, Tag tag) {
    return memory::desc(dims, memory::data_type::f32, tag);
  };
  auto p = std::make_shared<Primitive>();
  p->src = md({m, k}, Tag::ab);
  p->dst = md({m, n}, Tag::ab);
  p->user_weights = md({k, n}, transpose_b_ ? Tag::ba : Tag::ab);
  if (epilogue_.bias) p->bias = md({1, n}, Tag::ab);
  // A reference implementation is slower than Gemm.
  std::optional<OneDnnMatMulPrimitive> made = CreateOneDnnMatMul(
      p->src, p->bias, p->dst, EpilogueAttr(nullptr, epilogue_.activation, epilogue_.alpha));
  if (!made) return nullptr;
  p->matmul = made->matmul;
  p->weights = made->weights;
  p->scratchpad = made->scratchpad;
  p->args = std::make_unique<const OneDnnArgsPool>(p->src, p->dst, p->scratchpad, p->bias);
  return p;
}

bool OneDnnMatMul::Run(int64_t m, const float* a, const Tensor& weights, const float* bias,
                       float* out) const {
  const int64_t k = transpose_b_ ? weights.dim(1) : weights.dim(0);
  const int64_t n = transpose_b_ ? weights.dim(0) : weights.dim(1);
  // Idle cores only for products with work to share, as for convolutions.
  const double flops =
      2.0 * static_cast<double>(m) * static_cast<double>(k) * static_cast<double>(n);
  std::optional<IntraOpThreads::OpScope> cores;
  if (flops >= kBorrowCoresMinFlops) cores.emplace();
  const int threads = cores ? cores->threads() : 1;
  UseOmpThreads(threads);
  std::shared_ptr<const Primitive> p;
  ReorderedWeights::InUse packed;
  {
    std::lock_guard<std::mutex> lock(state_->mu);
    const std::array<int64_t, 4> key = {m, k, n, threads};
    auto it = state_->primitives.find(key);
    if (it == state_->primitives.end()) {
      it = state_->primitives.emplace(key, PrimitiveFor(m, k, n)).first;
    }
    p = it->second;
    if (p == nullptr) return false;
    packed = state_->weights.For(weights, p->user_weights, p->weights);
  }
  std::unique_ptr<OneDnnArgs> args = p->args->Take();
  args->Execute(p->matmul, a, out, packed.memory, bias);
  p->args->GiveBack(std::move(args));
  return true;
}

}  // namespace tern
