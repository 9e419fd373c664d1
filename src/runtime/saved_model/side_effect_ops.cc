#include "runtime/saved_model/side_effect_ops.h"

#include <algorithm>
#include <iterator>

namespace tern {
namespace {

struct SideEffect {
  std::string_view op;
  const char* effect;
};

constexpr char kReadsFiles[] = "reads files";
constexpr char kWritesFiles[] = "writes files";
constexpr char kListsFiles[] = "lists files";
constexpr char kMapsFile[] = "maps a file into memory";
constexpr char kNetwork[] = "talks to other processes over the network";
constexpr char kProcess[] = "acts on the server process";
constexpr char kPython[] = "runs Python in the server process";
constexpr char kLogs[] = "writes to the server's output or to files";

// TensorFlow's ops that reach outside the request, sorted by name (looked up by binary search).
// Datasets and readers: they read files named by tensors; summaries and checkpoints write them.
constexpr SideEffect kSideEffects[] = {
    {"Abort", kProcess},
    {"CSVDataset", kReadsFiles},
    {"CSVDatasetV2", kReadsFiles},
    {"CloseSummaryWriter", kWritesFiles},
    {"CollectiveBcastRecv", kNetwork},
    {"CollectiveBcastRecvV2", kNetwork},
    {"CollectiveBcastSend", kNetwork},
    {"CollectiveBcastSendV2", kNetwork},
    {"CollectiveGather", kNetwork},
    {"CollectiveGatherV2", kNetwork},
    {"CollectiveInitializeCommunicator", kNetwork},
    {"CollectiveReduce", kNetwork},
    {"CollectiveReduceV2", kNetwork},
    {"CollectiveReduceV3", kNetwork},
    {"CreateSummaryDbWriter", kWritesFiles},
    {"CreateSummaryFileWriter", kWritesFiles},
    {"DataServiceDataset", kNetwork},
    {"DataServiceDatasetV2", kNetwork},
    {"DataServiceDatasetV3", kNetwork},
    {"DataServiceDatasetV4", kNetwork},
    {"DebugIdentity", kWritesFiles},
    {"DebugIdentityV2", kWritesFiles},
    {"DebugIdentityV3", kWritesFiles},
    {"DebugNanCount", kWritesFiles},
    {"DebugNumericSummary", kWritesFiles},
    {"DebugNumericSummaryV2", kWritesFiles},
    {"DistributedSave", kWritesFiles},
    {"EagerPyFunc", kPython},
    {"ExperimentalCSVDataset", kReadsFiles},
    {"ExperimentalLMDBDataset", kReadsFiles},
    {"ExperimentalSqlDataset", kReadsFiles},
    {"FixedLengthRecordDataset", kReadsFiles},
    {"FixedLengthRecordDatasetV2", kReadsFiles},
    {"FixedLengthRecordReader", kReadsFiles},
    {"FixedLengthRecordReaderV2", kReadsFiles},
    {"FlushSummaryWriter", kWritesFiles},
    {"GenerateVocabRemapping", kReadsFiles},
    {"IdentityReader", kReadsFiles},
    {"IdentityReaderV2", kReadsFiles},
    {"ImmutableConst", kMapsFile},
    {"ImportEvent", kWritesFiles},
    {"InitializeTableFromTextFile", kReadsFiles},
    {"InitializeTableFromTextFileV2", kReadsFiles},
    {"LMDBDataset", kReadsFiles},
    {"LMDBReader", kReadsFiles},
    {"LoadAndRemapMatrix", kReadsFiles},
    {"LoadDataset", kReadsFiles},
    {"MatchingFiles", kListsFiles},
    {"MatchingFilesDataset", kListsFiles},
    {"MergeV2Checkpoints", kWritesFiles},
    {"Print", kLogs},
    {"PrintV2", kLogs},
    {"PyFunc", kPython},
    {"PyFuncStateless", kPython},
    {"ReadFile", kReadsFiles},
    {"ReaderRead", kReadsFiles},
    {"ReaderReadUpTo", kReadsFiles},
    {"ReaderReadUpToV2", kReadsFiles},
    {"ReaderReadV2", kReadsFiles},
    {"ReaderRestoreState", kReadsFiles},
    {"ReaderRestoreStateV2", kReadsFiles},
    {"Recv", kNetwork},
    {"Restore", kReadsFiles},
    {"RestoreSlice", kReadsFiles},
    {"RestoreV2", kReadsFiles},
    {"RpcCall", kNetwork},
    {"RpcCheckStatus", kNetwork},
    {"RpcClient", kNetwork},
    {"RpcGetValue", kNetwork},
    {"RpcServer", kNetwork},
    {"RpcServerRegister", kNetwork},
    {"RpcServerStart", kNetwork},
    {"Save", kWritesFiles},
    {"SaveDataset", kWritesFiles},
    {"SaveDatasetV2", kWritesFiles},
    {"SaveSlices", kWritesFiles},
    {"SaveV2", kWritesFiles},
    {"Send", kNetwork},
    {"SnapshotDataset", kWritesFiles},
    {"SnapshotDatasetV2", kWritesFiles},
    {"SqlDataset", kReadsFiles},
    {"TFRecordDataset", kReadsFiles},
    {"TFRecordDatasetV2", kReadsFiles},
    {"TFRecordReader", kReadsFiles},
    {"TFRecordReaderV2", kReadsFiles},
    {"TextLineDataset", kReadsFiles},
    {"TextLineReader", kReadsFiles},
    {"TextLineReaderV2", kReadsFiles},
    {"WholeFileReader", kReadsFiles},
    {"WholeFileReaderV2", kReadsFiles},
    {"WriteAudioSummary", kWritesFiles},
    {"WriteFile", kWritesFiles},
    {"WriteGraphSummary", kWritesFiles},
    {"WriteHistogramSummary", kWritesFiles},
    {"WriteImageSummary", kWritesFiles},
    {"WriteRawProtoSummary", kWritesFiles},
    {"WriteScalarSummary", kWritesFiles},
    {"WriteSummary", kWritesFiles},
    {"_HostRecv", kNetwork},
    {"_HostSend", kNetwork},
    {"_Recv", kNetwork},
    {"_Send", kNetwork},
};

bool ByOp(const SideEffect& a, const SideEffect& b) { return a.op < b.op; }

}  // namespace

const char* SideEffectOf(std::string_view op) {
  const SideEffect key{op, nullptr};
  auto it = std::lower_bound(std::begin(kSideEffects), std::end(kSideEffects), key, ByOp);
  return it != std::end(kSideEffects) && it->op == op ? it->effect : nullptr;
}

std::vector<OpUsage> RequestTimeSideEffectOps(const tensorflow::MetaGraphDef& meta_graph) {
  std::vector<OpUsage> out;
  for (auto& usage : InventorySignatureOps(meta_graph).ops) {
    if (SideEffectOf(usage.op) != nullptr) out.push_back(std::move(usage));
  }
  return out;
}

std::string SideEffectOpsMessage(const std::vector<OpUsage>& ops) {
  std::string message =
      "serving signatures use ops that reach outside the request (files, network or the server "
      "process), which Tern refuses to run for a model: ";
  for (size_t i = 0; i < ops.size(); ++i) {
    const OpUsage& u = ops[i];
    message += (i ? ", " : "") + u.op + " (" + SideEffectOf(u.op) + "; node '" + u.first_node + "'";
    if (u.nodes > 1) message += " and " + std::to_string(u.nodes - 1) + " more";
    message += ")";
  }
  return message;
}

}  // namespace tern
