// Shared by the functional control-flow kernels (If, While): the truth value of a predicate and
// instantiating a function-valued attr. Stateless; thread-safe.
#pragma once

#include <memory>
#include <string>

#include "runtime/function_library.h"
#include "runtime/kernels/internal/common.h"
#include "runtime/plan.h"

namespace tern {

// TensorFlow's truth value of a predicate: a non-scalar is true when it has elements; a scalar
// is true when non-zero (bool, numbers) or non-empty (string).
inline StatusOr<bool> PredicateValue(const KernelContext& ctx, const Tensor& t,
                                     std::string_view what) {
  if (t.rank() != 0) return t.num_elements() > 0;
  if (t.dtype() == tensorflow::DT_BOOL) return t.flat<bool>()[0];
  if (t.dtype() == tensorflow::DT_STRING) return !t.flat<std::string>()[0].empty();
  bool value = false;
  Status s = DispatchRealNumber(
      t.dtype(), what,
      [&]<typename T>() -> Status {
        value = t.flat<T>()[0] != T(0);
        return Status::Ok();
      },
      ctx);
  if (!s.ok()) return s;
  return value;
}

// A compiled function named by a func attr, with the function's name and signature sizes.
struct FunctionAttr {
  std::string name;
  std::shared_ptr<const Plan> plan;
  int num_args = 0;
  int num_rets = 0;
};

inline StatusOr<FunctionAttr> InstantiateFunctionAttr(const KernelConstruction& c,
                                                      std::string_view attr) {
  const tensorflow::AttrValue* a = c.FindAttr(attr);
  if (a == nullptr || a->value_case() != tensorflow::AttrValue::kFunc) {
    return c.Error("missing function attr '" + std::string(attr) + "'");
  }
  if (c.functions() == nullptr) return c.Error("no function library for attr " + std::string(attr));
  FunctionAttr f;
  f.name = a->func().name();
  const tensorflow::FunctionDef* def = c.functions()->Find(f.name);
  if (def == nullptr) {
    return c.Error(std::string(attr) + " names function '" + f.name +
                   "', which is not in the graph's library");
  }
  f.num_args = def->signature().input_arg_size();
  f.num_rets = def->signature().output_arg_size();
  TERN_ASSIGN_OR_RETURN(f.plan, c.functions()->Instantiate(f.name));
  return f;
}

}  // namespace tern
