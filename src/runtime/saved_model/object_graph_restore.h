// Restoring the variables a TF2 SavedModel's functions capture, by its object graph.
//
// A SaverDef restores the variables its restore function names. Keras 3 models saved with
// tf.saved_model.save restore copies (VarHandleOps `Variable`, `Variable_1`, ...) while the
// serving function captures other handles, so a session-based loader (TF Serving's included)
// serves uninitialised variables. TensorFlow's Python loader restores by the object graph
// instead: each captured input of a concrete function is bound to an object, and the checkpoint's
// own object graph names that object's checkpoint key. This does the same for the captured
// variables the SaverDef left uninitialised. Stateless functions; no ownership kept.
#pragma once

#include <string>
#include <vector>

#include "common/status.h"
#include "runtime/state/resources.h"
#include "tf/meta_graph.pb.h"

namespace tern {

// A VarHandleOp of the main graph passed to a function call as a captured input.
struct BoundVariable {
  std::string node_name;     // the VarHandleOp
  std::string resource_key;  // its variable in SessionResources (VariableResourceKey)
  int object_id = 0;         // the object graph node it is bound to
};

// Every variable the main graph's function calls capture, once each, from the calls'
// `f` attributes and the object graph's bound_inputs. Empty for TF1 exports.
std::vector<BoundVariable> BoundVariablesOf(const tensorflow::MetaGraphDef& meta_graph);

// Reads, from the tensor bundle at `prefix`, the value of each bound variable that is still
// uninitialised in `resources`, finding its checkpoint key in the bundle's object graph.
// Variables the checkpoint has no value for stay uninitialised (a run reading one fails naming
// it). Returns how many were restored; DATA_LOSS/INVALID_ARGUMENT for a damaged bundle or a value
// whose dtype differs from the object graph's.
StatusOr<int> RestoreBoundVariables(const std::vector<BoundVariable>& variables,
                                    const tensorflow::MetaGraphDef& meta_graph,
                                    const std::string& prefix, SessionResources& resources);

}  // namespace tern
