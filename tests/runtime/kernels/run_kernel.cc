#include "run_kernel.h"

#include "runtime/flush_denormals.h"
#include "runtime/kernel.h"
#include "runtime/kernel_registry.h"

namespace tern {

tensorflow::NodeDef MakeNode(const std::string& op) {
  tensorflow::NodeDef node;
  node.set_name("n");
  node.set_op(op);
  return node;
}

StatusOr<std::vector<Tensor>> RunKernel(const tensorflow::NodeDef& node,
                                        const std::vector<Tensor>& inputs) {
  const KernelRegistration* reg = FindKernel(node.op());
  if (reg == nullptr) return NotFound("no kernel for op " + node.op());
  KernelConstruction construction(node, static_cast<int>(inputs.size()), nullptr, nullptr);
  TERN_ASSIGN_OR_RETURN(std::unique_ptr<OpKernel> kernel, reg->create(construction));
  TERN_ASSIGN_OR_RETURN(auto args, ExpandOutputArgs(*reg, node));
  int num_outputs = 0;
  for (const auto& [name, count] : args) num_outputs += count;
  std::vector<Tensor> outputs(num_outputs);
  std::vector<const Tensor*> in(inputs.size());
  for (size_t i = 0; i < inputs.size(); ++i) in[i] = &inputs[i];
  RunOptions options;
  KernelContext ctx(node.name(), node.op(), in.data(), static_cast<int>(in.size()), outputs.data(),
                    num_outputs, options, nullptr);
  // As Plan::Run and TensorFlow's executor (which recorded the goldens) run every kernel.
  FlushDenormals flush;
  TERN_RETURN_IF_ERROR(kernel->Compute(ctx));
  for (int i = 0; i < num_outputs; ++i) {
    if (!outputs[i].initialized()) return Internal("output " + std::to_string(i) + " not set");
  }
  return outputs;
}

}  // namespace tern
