#include "server/app/inspect_command.h"

#include <filesystem>
#include <set>
#include <sstream>

#include "runtime/format/saved_model_proto.h"
#include "runtime/saved_model/inspect.h"
#include "runtime/tensor.h"

namespace tern {
namespace {

constexpr char kUsage[] =
    "usage: tern inspect <saved_model_dir> [--tags=serve]\n"
    "  <saved_model_dir> holds saved_model.pb (a version directory, or a base path whose\n"
    "  highest numbered version is inspected)\n";

std::string ShapeString(const tensorflow::TensorShapeProto& shape) {
  if (shape.unknown_rank()) return "unknown rank";
  std::string s = "(";
  for (int i = 0; i < shape.dim_size(); ++i) {
    s += (i ? ", " : "") +
         (shape.dim(i).size() < 0 ? std::string("-1") : std::to_string(shape.dim(i).size()));
  }
  return s + (shape.dim_size() == 1 ? ",)" : ")");
}

void PrintTensors(const std::string& title,
                  const google::protobuf::Map<std::string, tensorflow::TensorInfo>& tensors,
                  std::ostream& out) {
  out << "    " << title << ":\n";
  std::map<std::string, const tensorflow::TensorInfo*> sorted;
  for (const auto& [k, v] : tensors) sorted[k] = &v;
  for (const auto& [key, info] : sorted) {
    out << "      " << key << ": " << DataTypeName(info->dtype()) << " "
        << ShapeString(info->tensor_shape()) << "  (" << info->name() << ")\n";
  }
}

// A base path (numbered versions, no saved_model.pb) resolves to its highest version.
std::string ResolveVersionDir(const std::string& dir) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (fs::exists(dir + "/saved_model.pb", ec) || fs::exists(dir + "/saved_model.pbtxt", ec)) {
    return dir;
  }
  int64_t best = -1;
  std::string best_name;  // as on disk: "00000123" is version 123
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    const std::string name = entry.path().filename().string();
    if (!entry.is_directory() || name.empty() ||
        name.find_first_not_of("0123456789") != std::string::npos || name.size() > 18) {
      continue;
    }
    if (std::stoll(name) > best) {
      best = std::stoll(name);
      best_name = name;
    }
  }
  return best < 0 ? dir : (fs::path(dir) / best_name).string();
}

}  // namespace

int RunInspectCommand(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  std::string dir;
  std::set<std::string> wanted = {"serve"};
  for (const auto& a : args) {
    if (a.rfind("--tags=", 0) == 0) {
      wanted.clear();
      std::stringstream in(a.substr(7));
      for (std::string t; std::getline(in, t, ',');) {
        if (!t.empty()) wanted.insert(t);
      }
    } else if (a == "--help" || a == "-h") {
      out << kUsage;
      return 0;
    } else if (!a.empty() && a[0] != '-' && dir.empty()) {
      dir = a;
    } else {
      err << "tern inspect: unexpected argument '" << a << "'\n" << kUsage;
      return 2;
    }
  }
  if (dir.empty()) {
    err << kUsage;
    return 2;
  }
  dir = ResolveVersionDir(dir);
  tensorflow::SavedModel proto;
  Status read = ReadSavedModelProto(dir, &proto);
  if (!read.ok()) {
    err << "tern inspect: " << read.message() << "\n";
    return 2;
  }
  out << "SavedModel: " << dir << "\n";
  const tensorflow::MetaGraphDef* meta = nullptr;
  for (const auto& m : proto.meta_graphs()) {
    std::set<std::string> tags(m.meta_info_def().tags().begin(), m.meta_info_def().tags().end());
    std::string list;
    for (const auto& t : tags) list += (list.empty() ? "" : ",") + t;
    out << "MetaGraphDef with tags {" << list << "}"
        << (m.meta_info_def().tensorflow_version().empty()
                ? ""
                : " (TensorFlow " + m.meta_info_def().tensorflow_version() + ")")
        << "\n";
    if (tags == wanted && !meta) meta = &m;
  }
  if (!meta) {
    err << "tern inspect: no MetaGraphDef has exactly the tags requested (--tags)\n";
    return 2;
  }
  out << "\nSignatures:\n";
  std::map<std::string, const tensorflow::SignatureDef*> sigs;
  for (const auto& [k, v] : meta->signature_def()) sigs[k] = &v;
  for (const auto& [name, sig] : sigs) {
    out << "  " << name << "  [" << sig->method_name() << "]\n";
    PrintTensors("inputs", sig->inputs(), out);
    PrintTensors("outputs", sig->outputs(), out);
  }
  OpInventory inventory = InventoryOps(*meta);
  int total = 0;
  for (const auto& u : inventory.ops) total += u.nodes;
  out << "\nOps (signatures, restore and init; " << inventory.ops.size() << " types, " << total
      << " nodes):\n";
  for (const auto& u : inventory.ops) {
    out << "  " << (u.supported ? "  " : "! ") << u.op
        << std::string(u.op.size() < 32 ? 32 - u.op.size() : 1, ' ') << u.nodes << "\n";
  }
  auto unsupported = inventory.Unsupported();
  if (unsupported.empty()) {
    out << "\nEvery op is supported: Tern can load this model.\n";
    return 0;
  }
  out << "\nUnsupported by Tern (" << unsupported.size() << "; the model will not load):\n";
  for (const auto& u : unsupported) {
    out << "  " << u.op << "  (" << u.nodes << " node" << (u.nodes > 1 ? "s" : "") << ", e.g. '"
        << u.first_node << "')\n";
  }
  return 1;
}

}  // namespace tern
