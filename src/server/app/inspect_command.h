// `tern inspect <saved_model_dir> [--tags=serve]`: what a SavedModel holds and whether Tern can
// serve it, without loading it (tags, signatures with dtypes and shapes, an op histogram, every
// unsupported op with a node using it).
// `tern ops [--markdown] [<saved_model_dir> [--tags=serve]]`: every op Tern runs (docs/ops.md is
// its --markdown output), or the ops a SavedModel uses that Tern lacks. Stateless;
// thread-compatible.
#pragma once

#include <ostream>
#include <string>
#include <vector>

namespace tern {

// Returns the process exit code: 0 when every op is supported, 1 when some are not, 2 when the
// directory cannot be read or the arguments are wrong.
int RunInspectCommand(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

// The same exit codes: 1 when the model given uses ops Tern lacks.
int RunOpsCommand(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

}  // namespace tern
