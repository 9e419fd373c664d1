// Classify, Regress and MultiInference as TF Serving runs them: the request's tf.Examples are
// serialized (context merged into each), fed to the signature's one string input, and the
// signature's "classes"/"scores" or "outputs" tensors become Classification/Regression results.
// Shared by the gRPC and REST front ends. Stateless functions over a servable; thread-safe.
#pragma once

#include <functional>
#include <string>

#include "server/core/inference_core.h"
#include "serving/classification.pb.h"
#include "serving/inference.pb.h"
#include "serving/input.pb.h"
#include "serving/regression.pb.h"

namespace tern {

// A DT_STRING tensor of shape [N] with one serialized tf.Example per example of `input`. With a
// context, each element is context + example serialized back to back, which protobuf parses as
// the merge of the two (an example's feature replaces a context feature of the same name),
// exactly as TF Serving builds it. INVALID_ARGUMENT for an input with no examples.
StatusOr<Tensor> SerializedExamples(const tensorflow::serving::Input& input);

// The Run* functions answer through `done`, exactly once: on the calling thread for an error
// found before the run, else where InferenceCore::PredictAsync answers (a batch thread or
// the compute pool), so a request waiting for its batch holds no thread. The servable stays
// loaded until `done` has run; `service` must outlive the call.
using ClassifyDone = std::function<void(StatusOr<tensorflow::serving::ClassificationResult>)>;
void RunClassify(const InferenceCore& service, const ServableHandle& servable,
                 const Signature& signature, Tensor examples, const RunOptions& options,
                 ClassifyDone done);

using RegressDone = std::function<void(StatusOr<tensorflow::serving::RegressionResult>)>;
void RunRegress(const InferenceCore& service, const ServableHandle& servable,
                const Signature& signature, Tensor examples, const RunOptions& options,
                RegressDone done);

// Runs every task on `servable`, which the caller resolved from the first task's model_spec;
// every task must name the same model and version, distinct signatures, and method classify
// or regress. Every task is checked before any runs; the tasks then run concurrently and the
// answer keeps their order (an error is the first failing task's, in task order).
using MultiInferenceDone =
    std::function<void(StatusOr<tensorflow::serving::MultiInferenceResponse>)>;
void RunMultiInference(const InferenceCore& service, const ServableHandle& servable,
                       const tensorflow::serving::MultiInferenceRequest& request,
                       const RunOptions& options, MultiInferenceDone done);

// The name, version and signature a response reports, as TF Serving fills it.
void FillResponseModelSpec(const ServableVersion& servable, const std::string& signature_name,
                           tensorflow::serving::ModelSpec* spec);

}  // namespace tern
