// Ops that reach outside the request: they read or write files, talk to the network, or act on
// the server process. A SavedModel is someone else's code; Tern runs only computations on the
// request's tensors and the model's own state at request time, so a serving signature that
// reaches one of these is refused at load, naming each. The restore op and the init op may use
// the file readers Tern has (RestoreV2 reads the export's variables, InitializeTableFromTextFileV2
// its assets) because the loader feeds them the export's own paths.
// Pure functions over the proto; thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "runtime/saved_model/inspect.h"
#include "tf/meta_graph.pb.h"

namespace tern {

// What an op does outside the request ("reads files", ...), or null for an op that does not.
const char* SideEffectOf(std::string_view op);

// Ops with a side effect (SideEffectOf) that the signatures reach, following calls into library
// functions; sorted by op name.
std::vector<OpUsage> RequestTimeSideEffectOps(const tensorflow::MetaGraphDef& meta_graph);

// "serving signatures use ops that reach outside the request, which Tern does not run: ReadFile
// (node 'f/ReadFile'; reads files), ...".
std::string SideEffectOpsMessage(const std::vector<OpUsage>& ops);

}  // namespace tern
