// Times one SavedModel signature in Tern's runtime on inputs read from .npy files, for
// loadtest/runtime_vs_peers.py, which feeds TensorFlow and ONNX Runtime the same files. No server:
// the signature is run in a loop on this thread (with --intra_op_threads > 1 its large ops may
// also use that many cores, as a request on an idle server does).
//   build/loadtest/runtime_bench --model=DIR [--signature=serving_default]
//       --input=NAME=FILE.npy [--input=...] [--seconds=1] [--intra_op_threads=1]
//       [--op_profile[=nodes]] [--branches=measured|in_order|side_by_side]
// Prints one JSON object: runs, wall and CPU microseconds per run, page faults and tensor buffers
// that needed a malloc (not served by the buffer cache) per run, and the first output's elements
// (so the caller can check the answers against the peers'). --op_profile also prints, to stderr,
// the time per run by op type (nested function calls' ops included in their callers'), or with
// =nodes by node (what loadtest/node_times_ab.py compares between two builds). --branches fixes
// how plan sections with independent branches run when a core is idle (branch_mode.h); the
// default measures both ways on the first runs.
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iterator>
#include <map>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "runtime/branch_mode.h"
#include "runtime/buffer_cache.h"
#include "runtime/intra_op.h"
#include "runtime/saved_model/saved_model.h"

namespace {

[[noreturn]] void Fail(const std::string& message) {
  std::fprintf(stderr, "runtime_bench: %s\n", message.c_str());
  std::exit(1);
}

// The header value after `key` in a .npy header dict, up to the next top-level ',' or '}'.
std::string HeaderField(const std::string& header, const std::string& key) {
  const size_t at = header.find("'" + key + "'");
  if (at == std::string::npos) Fail("npy header has no " + key + ": " + header);
  size_t start = header.find(':', at) + 1;
  while (header[start] == ' ') ++start;
  size_t end = start;
  int depth = 0;
  for (; end < header.size(); ++end) {
    const char c = header[end];
    if (c == '(') ++depth;
    if (c == ')') --depth;
    if (depth == 0 && (c == ',' || c == '}')) break;
  }
  return header.substr(start, end - start);
}

// Reads a C-order, little-endian .npy array (format 1.0 to 3.0) of float32, int32, int64 or bool.
tern::Tensor ReadNpy(const std::string& path) {
  std::ifstream file(path, std::ios::binary);
  if (!file) Fail("cannot open " + path);
  const std::string bytes((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
  if (bytes.size() < 10 || bytes.compare(0, 6, "\x93NUMPY") != 0) Fail(path + ": not a .npy");
  const int major = static_cast<unsigned char>(bytes[6]);
  size_t header_len = static_cast<unsigned char>(bytes[8]) |
                      (static_cast<size_t>(static_cast<unsigned char>(bytes[9])) << 8);
  size_t offset = 10;
  if (major >= 2) {
    header_len |= (static_cast<size_t>(static_cast<unsigned char>(bytes[10])) << 16) |
                  (static_cast<size_t>(static_cast<unsigned char>(bytes[11])) << 24);
    offset = 12;
  }
  const std::string header = bytes.substr(offset, header_len);
  offset += header_len;
  if (HeaderField(header, "fortran_order") != "False") Fail(path + ": Fortran order");
  const std::string descr = HeaderField(header, "descr");
  tensorflow::DataType dtype;
  if (descr == "'<f4'") {
    dtype = tensorflow::DT_FLOAT;
  } else if (descr == "'<i4'") {
    dtype = tensorflow::DT_INT32;
  } else if (descr == "'<i8'") {
    dtype = tensorflow::DT_INT64;
  } else if (descr == "'|b1'") {
    dtype = tensorflow::DT_BOOL;
  } else {
    Fail(path + ": dtype " + descr + " (expected <f4, <i4, <i8 or |b1)");
  }
  std::string shape_text = HeaderField(header, "shape");
  std::vector<int64_t> dims;
  std::stringstream parts(shape_text.substr(1, shape_text.size() - 2));
  for (std::string d; std::getline(parts, d, ',');) {
    if (d.find_first_not_of(' ') != std::string::npos) dims.push_back(std::stoll(d));
  }
  auto tensor = tern::Tensor::Create(dtype, tern::TensorShape(dims));
  if (!tensor.ok()) Fail(tensor.status().ToString());
  const size_t data_bytes = tensor->byte_size();
  if (bytes.size() - offset != data_bytes) {
    Fail(path + ": " + std::to_string(bytes.size() - offset) + " data bytes, expected " +
         std::to_string(data_bytes));
  }
  std::memcpy(tensor->raw_data(), bytes.data() + offset, data_bytes);
  return *std::move(tensor);
}

long MinorFaults() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return usage.ru_minflt;
}

double CpuSeconds() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<double>(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
         static_cast<double>(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) * 1e-6;
}

}  // namespace

int main(int argc, char** argv) {
  std::string model_dir;
  std::string signature = "serving_default";
  std::map<std::string, tern::Tensor> inputs;
  double seconds = 1;
  int intra_op_threads = 1;
  bool op_profile = false;
  tern::OpTimings timings;
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    auto value = [&](std::string_view flag) { return std::string(arg.substr(flag.size())); };
    if (arg.rfind("--model=", 0) == 0) {
      model_dir = value("--model=");
    } else if (arg.rfind("--signature=", 0) == 0) {
      signature = value("--signature=");
    } else if (arg.rfind("--input=", 0) == 0) {
      const std::string spec = value("--input=");
      const size_t eq = spec.find('=');
      if (eq == std::string::npos) Fail("--input: expected NAME=FILE.npy, got " + spec);
      inputs.emplace(spec.substr(0, eq), ReadNpy(spec.substr(eq + 1)));
    } else if (arg.rfind("--seconds=", 0) == 0) {
      seconds = std::stod(value("--seconds="));
    } else if (arg.rfind("--intra_op_threads=", 0) == 0) {
      intra_op_threads = std::stoi(value("--intra_op_threads="));
    } else if (arg.rfind("--branches=", 0) == 0) {
      const std::string way = value("--branches=");
      if (way == "measured") {
        tern::BranchMode::SetPolicy(tern::BranchPolicy::kMeasured);
      } else if (way == "in_order") {
        tern::BranchMode::SetPolicy(tern::BranchPolicy::kInOrder);
      } else if (way == "side_by_side") {
        tern::BranchMode::SetPolicy(tern::BranchPolicy::kSideBySide);
      } else {
        Fail("--branches must be measured, in_order or side_by_side, got " + way);
      }
    } else if (arg == "--op_profile" || arg == "--op_profile=nodes") {
      op_profile = true;
      if (arg == "--op_profile=nodes") timings.key = tern::OpTimings::Key::kNode;
    } else {
      Fail("unknown argument " + std::string(arg));
    }
  }
  if (model_dir.empty()) Fail("--model is required");
  tern::IntraOpThreads::SetLimit(intra_op_threads);
  auto model = tern::SavedModel::Load(model_dir, {});
  if (!model.ok()) Fail("cannot load " + model_dir + ": " + model.status().ToString());
  tern::RunOptions options;
  auto run = [&] {
    auto out = (*model)->RunSignature(signature, inputs, {}, options);
    if (!out.ok()) Fail(out.status().ToString());
    return *std::move(out);
  };
  // Warm-up: first runs create oneDNN primitives, reorder weights, and time each branch section
  // both ways (BranchMode::Options::samples_per_way each) before it keeps the faster.
  std::map<std::string, tern::Tensor> outputs;
  const int warm_up_runs = 2 + 2 * tern::BranchMode::Options().samples_per_way;
  for (int i = 0; i < warm_up_runs; ++i) outputs = run();
  if (op_profile) options.op_timings = &timings;
  int64_t runs = 0;
  const auto start = std::chrono::steady_clock::now();
  const double cpu_start = CpuSeconds();
  const long faults_start = MinorFaults();
  const int64_t buffer_mallocs_start = tern::BufferCache::Process().stats().misses;
  double elapsed = 0;
  while (elapsed < seconds || runs < 3) {
    run();
    ++runs;
    elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  }
  const double cpu = CpuSeconds() - cpu_start;
  const double faults =
      static_cast<double>(MinorFaults() - faults_start) / static_cast<double>(runs);
  const double buffer_mallocs =
      static_cast<double>(tern::BufferCache::Process().stats().misses - buffer_mallocs_start) /
      static_cast<double>(runs);
  std::vector<std::pair<double, std::string>> by_time;
  for (const auto& [op, entry] : timings.by_op) by_time.emplace_back(entry.seconds, op);
  std::sort(by_time.rbegin(), by_time.rend());
  for (const auto& [op_seconds, op] : by_time) {
    std::fprintf(stderr, "  %-32s %10.3f ms per run  (%lld calls)\n", op.c_str(),
                 op_seconds * 1e3 / static_cast<double>(runs),
                 static_cast<long long>(timings.by_op[op].calls / runs));
  }
  const auto& [first_name, first] = *outputs.begin();
  std::string values;
  const int64_t shown = std::min<int64_t>(first.num_elements(), 16);
  for (int64_t i = 0; i < shown && first.dtype() == tensorflow::DT_FLOAT; ++i) {
    char value[32];
    std::snprintf(value, sizeof(value), "%s%.9g", i ? "," : "", first.flat<float>()[i]);
    values += value;
  }
  std::printf(
      "{\"runs\": %lld, \"wall_us_per_run\": %.3f, \"cpu_us_per_run\": %.3f, "
      "\"page_faults_per_run\": %.1f, \"buffer_mallocs_per_run\": %.1f, \"output\": \"%s\", "
      "\"output_head\": [%s]}\n",
      static_cast<long long>(runs), elapsed * 1e6 / static_cast<double>(runs),
      cpu * 1e6 / static_cast<double>(runs), faults, buffer_mallocs, first_name.c_str(),
      values.c_str());
  return 0;
}
