// HashTableV2: a handle to the session's hash table named by attr shared_name (or, when that is
// empty, by the node's name), created empty on first use. Every plan of the session that names
// the same table gets the same one, so the init op fills the table the signatures read.
#include "runtime/kernels/internal/common.h"
#include "runtime/kernels/kernels.h"
#include "runtime/state/lookup_table.h"
#include "runtime/state/resources.h"

namespace tern {

StatusOr<std::unique_ptr<OpKernel>> CreateHashTableV2Kernel(const KernelConstruction& c) {
  LookupTable::Options options;
  TERN_ASSIGN_OR_RETURN(options.key_dtype, c.GetTypeAttr("key_dtype"));
  TERN_ASSIGN_OR_RETURN(options.value_dtype, c.GetTypeAttr("value_dtype"));
  auto created = LookupTable::Create(options);
  if (!created.ok()) return c.Error(created.status().message());
  if (c.resources() == nullptr) return c.Error("needs session resources");
  std::string shared_name = c.GetStringAttrOr("shared_name", "");
  if (shared_name.empty()) shared_name = c.name();
  const std::string key = "table:" + c.GetStringAttrOr("container", "") + "/" + shared_name;
  std::shared_ptr<LookupTable> fresh = std::move(created).value();
  std::shared_ptr<LookupTable> table =
      c.resources()->GetOrCreate<LookupTable>(key, [&] { return fresh; });
  if (table == nullptr) return c.Error("resource '" + shared_name + "' is not a lookup table");
  if (table->key_dtype() != options.key_dtype || table->value_dtype() != options.value_dtype) {
    return c.Error("table '" + shared_name + "' exists with " + DataTypeName(table->key_dtype()) +
                   " -> " + DataTypeName(table->value_dtype()) + ", not " +
                   DataTypeName(options.key_dtype) + " -> " + DataTypeName(options.value_dtype));
  }
  return std::unique_ptr<OpKernel>(new FixedOutputKernel(Tensor::FromResource(std::move(table))));
}

}  // namespace tern
