// Shared by HashTableV2 and MutableHashTableV2: a kernel whose output is a handle to the session's
// lookup table named by attr shared_name (or, when that is empty, by the node's name), created
// empty on first use. Every plan of the session that names the same table gets the same one, so
// the init and restore ops fill the table the signatures read. Stateless; thread-safe.
#pragma once

#include <memory>
#include <string>

#include "runtime/kernels/internal/common.h"
#include "runtime/state/lookup_table.h"
#include "runtime/state/resources.h"

namespace tern {

inline StatusOr<std::unique_ptr<OpKernel>> CreateTableHandleKernel(const KernelConstruction& c,
                                                                   bool mutable_table) {
  LookupTable::Options options;
  TERN_ASSIGN_OR_RETURN(options.key_dtype, c.GetTypeAttr("key_dtype"));
  TERN_ASSIGN_OR_RETURN(options.value_dtype, c.GetTypeAttr("value_dtype"));
  options.mutable_table = mutable_table;
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
  if (table->key_dtype() != options.key_dtype || table->value_dtype() != options.value_dtype ||
      table->mutable_table() != mutable_table) {
    return c.Error("table '" + shared_name + "' exists as a " + table->TypeName() + " of " +
                   DataTypeName(table->key_dtype()) + " -> " + DataTypeName(table->value_dtype()) +
                   ", not a " + fresh->TypeName() + " of " + DataTypeName(options.key_dtype) +
                   " -> " + DataTypeName(options.value_dtype));
  }
  return std::unique_ptr<OpKernel>(new FixedOutputKernel(Tensor::FromResource(std::move(table))));
}

}  // namespace tern
