// Classify, Regress and MultiInference as TF Serving runs them: the request's tf.Examples are
// serialized (context merged into each), fed to the signature's one string input, and the
// signature's "classes"/"scores" or "outputs" tensors become Classification/Regression results.
// Shared by the gRPC and REST front ends. Pure functions over a servable; thread-safe.
#pragma once

#include <string>

#include "serving/classification.pb.h"
#include "serving/inference.pb.h"
#include "serving/input.pb.h"
#include "serving/regression.pb.h"
#include "server/prediction_service.h"

namespace tern {

// A DT_STRING tensor of shape [N] with one serialized tf.Example per example of `input`. With a
// context, each element is context + example serialized back to back, which protobuf parses as
// the merge of the two (an example's feature replaces a context feature of the same name),
// exactly as TF Serving builds it. INVALID_ARGUMENT for an input with no examples.
StatusOr<Tensor> SerializedExamples(const tensorflow::serving::Input& input);

StatusOr<tensorflow::serving::ClassificationResult> RunClassify(
    const PredictionService& service, const ServableHandle& servable, const Signature& signature,
    const Tensor& examples, const RunOptions& options);

StatusOr<tensorflow::serving::RegressionResult> RunRegress(
    const PredictionService& service, const ServableHandle& servable, const Signature& signature,
    const Tensor& examples, const RunOptions& options);

// Runs every task on `servable`, which the caller resolved from the first task's model_spec;
// every task must name the same model and version, distinct signatures, and method classify
// or regress.
StatusOr<tensorflow::serving::MultiInferenceResponse> RunMultiInference(
    const PredictionService& service, const ServableHandle& servable,
    const tensorflow::serving::MultiInferenceRequest& request, const RunOptions& options);

// The name, version and signature a response reports, as TF Serving fills it.
void FillResponseModelSpec(const ServableVersion& servable, const std::string& signature_name,
                           tensorflow::serving::ModelSpec* spec);

}  // namespace tern
