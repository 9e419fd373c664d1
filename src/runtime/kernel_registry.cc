#include "runtime/kernel_registry.h"

namespace tern {

StatusOr<std::vector<std::pair<std::string, int>>> ExpandOutputArgs(
    const KernelRegistration& registration, const tensorflow::NodeDef& node) {
  std::vector<std::pair<std::string, int>> out;
  for (const OutputArg& arg : registration.outputs) {
    int count = 1;
    if (!arg.count_attr.empty()) {
      auto it = node.attr().find(std::string(arg.count_attr));
      if (it == node.attr().end()) {
        return InvalidArgument("node '" + node.name() + "' (op " + node.op() + "): missing attr '" +
                               std::string(arg.count_attr) + "'");
      }
      const tensorflow::AttrValue& a = it->second;
      if (a.value_case() == tensorflow::AttrValue::kI) {
        count = static_cast<int>(a.i());
      } else {
        const auto& l = a.list();
        count = l.type_size() + l.i_size() + l.s_size() + l.shape_size() + l.f_size() + l.b_size() +
                l.tensor_size() + l.func_size();
      }
    }
    out.emplace_back(std::string(arg.name), count);
  }
  return out;
}

}  // namespace tern
