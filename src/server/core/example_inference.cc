#include "server/core/example_inference.h"

#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <vector>

namespace tern {
namespace {

constexpr char kClassifyMethod[] = "tensorflow/serving/classify";
constexpr char kRegressMethod[] = "tensorflow/serving/regress";

// The signature's single input, which must take the serialized examples.
StatusOr<std::string> ExamplesInputName(const Signature& signature) {
  if (signature.inputs.size() != 1) {
    return InvalidArgument("Expected one input Tensor in signature '" + signature.name + "', got " +
                           std::to_string(signature.inputs.size()));
  }
  const auto& [name, info] = *signature.inputs.begin();
  if (info.dtype != tensorflow::DT_STRING) {
    return InvalidArgument("signature '" + signature.name + "' input '" + name +
                           "' must be DT_STRING (serialized tf.Example), got " +
                           DataTypeName(info.dtype));
  }
  return name;
}

Status CheckBatch(const Tensor& t, const std::string& name, int64_t batch) {
  if (t.rank() < 1 || t.dim(0) != batch) {
    return InvalidArgument(
        "Input batch size did not match output batch size: " + std::to_string(batch) +
        " examples, but output '" + name + "' has shape " + t.shape().DebugString());
  }
  return Status::Ok();
}

// What a classify or regress task feeds and fetches, checked before it runs.
struct TaskPlan {
  bool classify = false;
  std::string signature_name;
  std::string input;               // the signature's serialized-examples input
  std::vector<std::string> fetch;  // "classes" and/or "scores", or "outputs"
};

// TF Serving's wording for a signature exported for another method.
Status CheckMethod(SignatureMethodCheck check, const Signature& signature, const char* kind,
                   const char* expected) {
  if (check == SignatureMethodCheck::kOff || signature.method_name == expected) {
    return Status::Ok();
  }
  return InvalidArgument(std::string("Expected ") + kind + " signature method_name to be " +
                         expected + ". Was: " + signature.method_name);
}

StatusOr<TaskPlan> PlanClassify(const Signature& signature, SignatureMethodCheck check) {
  TERN_RETURN_IF_ERROR(CheckMethod(check, signature, "classification", kClassifyMethod));
  TaskPlan plan;
  plan.classify = true;
  plan.signature_name = signature.name;
  const bool has_classes = signature.outputs.count("classes") > 0;
  const bool has_scores = signature.outputs.count("scores") > 0;
  if (!has_classes && !has_scores) {
    return InvalidArgument(
        "Expected classification signature outputs to contain at least one of "
        "'classes' and 'scores'; signature '" +
        signature.name + "' has none");
  }
  if (has_classes) plan.fetch.push_back("classes");
  if (has_scores) plan.fetch.push_back("scores");
  TERN_ASSIGN_OR_RETURN(plan.input, ExamplesInputName(signature));
  return plan;
}

StatusOr<TaskPlan> PlanRegress(const Signature& signature, SignatureMethodCheck check) {
  TERN_RETURN_IF_ERROR(CheckMethod(check, signature, "regression", kRegressMethod));
  TaskPlan plan;
  plan.signature_name = signature.name;
  if (signature.outputs.count("outputs") == 0) {
    return InvalidArgument("Expected regression signature '" + signature.name +
                           "' to have an output named 'outputs'");
  }
  plan.fetch = {"outputs"};
  TERN_ASSIGN_OR_RETURN(plan.input, ExamplesInputName(signature));
  return plan;
}

StatusOr<tensorflow::serving::ClassificationResult> ClassificationFrom(
    const std::map<std::string, Tensor>& outputs, int64_t batch) {
  auto find = [&](const char* name) -> const Tensor* {
    auto it = outputs.find(name);
    return it == outputs.end() ? nullptr : &it->second;
  };
  const Tensor* classes = find("classes");
  const Tensor* scores = find("scores");
  int64_t num_classes = 0;
  for (auto [name, t] : {std::pair{"classes", classes}, std::pair{"scores", scores}}) {
    if (t == nullptr) continue;
    TERN_RETURN_IF_ERROR(CheckBatch(*t, name, batch));
    if (t->rank() != 2) {
      return InvalidArgument(
          std::string("Expected Tensor shape: [batch_size num_classes] but got ") +
          t->shape().DebugString() + " for output '" + name + "'");
    }
    if (classes != nullptr && scores != nullptr && t == scores && t->dim(1) != num_classes) {
      return InvalidArgument("Tensors classes and scores should match in num_classes: " +
                             classes->shape().DebugString() + " vs " +
                             scores->shape().DebugString());
    }
    num_classes = t->dim(1);
  }
  if (classes != nullptr && classes->dtype() != tensorflow::DT_STRING) {
    return InvalidArgument("Expected classes Tensor of DT_STRING, got " +
                           DataTypeName(classes->dtype()));
  }
  if (scores != nullptr && scores->dtype() != tensorflow::DT_FLOAT) {
    return InvalidArgument("Expected scores Tensor of DT_FLOAT, got " +
                           DataTypeName(scores->dtype()));
  }
  tensorflow::serving::ClassificationResult result;
  for (int64_t i = 0; i < batch; ++i) {
    auto* classifications = result.add_classifications();
    for (int64_t j = 0; j < num_classes; ++j) {
      auto* c = classifications->add_classes();
      if (classes != nullptr) c->set_label(classes->flat<std::string>()[i * num_classes + j]);
      if (scores != nullptr) c->set_score(scores->flat<float>()[i * num_classes + j]);
    }
  }
  return result;
}

StatusOr<tensorflow::serving::RegressionResult> RegressionFrom(
    const std::map<std::string, Tensor>& outputs, int64_t batch) {
  auto it = outputs.find("outputs");
  if (it == outputs.end()) return Internal("the regression signature did not produce 'outputs'");
  const Tensor& values = it->second;
  TERN_RETURN_IF_ERROR(CheckBatch(values, "outputs", batch));
  if (values.rank() > 2 || (values.rank() == 2 && values.dim(1) != 1)) {
    return InvalidArgument(
        "Expected output Tensor shape to be either [batch_size] or "
        "[batch_size, 1] but got " +
        values.shape().DebugString());
  }
  if (values.dtype() != tensorflow::DT_FLOAT) {
    return InvalidArgument("Expected output Tensor of DT_FLOAT, got " +
                           DataTypeName(values.dtype()));
  }
  tensorflow::serving::RegressionResult result;
  for (int64_t i = 0; i < batch; ++i) result.add_regressions()->set_value(values.flat<float>()[i]);
  return result;
}

// Feeds the examples to the planned signature; `done` gets the raw outputs.
void RunPlan(const InferenceCore& service, const ServableHandle& servable,
             const Signature& signature, const TaskPlan& plan, Tensor examples,
             const RunOptions& options, InferenceCore::PredictDone done) {
  std::map<std::string, Tensor> inputs;
  inputs.emplace(plan.input, std::move(examples));
  service.PredictAsync(servable, signature, std::move(inputs), plan.fetch, options,
                       std::move(done));
}

}  // namespace

StatusOr<Tensor> SerializedExamples(const tensorflow::serving::Input& input) {
  std::vector<std::string> serialized;
  switch (input.kind_case()) {
    case tensorflow::serving::Input::kExampleList:
      for (const auto& example : input.example_list().examples()) {
        serialized.push_back(example.SerializeAsString());
      }
      break;
    case tensorflow::serving::Input::kExampleListWithContext: {
      const auto& list = input.example_list_with_context();
      const std::string context = list.context().SerializeAsString();
      for (const auto& example : list.examples()) {
        serialized.push_back(context + example.SerializeAsString());
      }
      break;
    }
    case tensorflow::serving::Input::KIND_NOT_SET:
      return InvalidArgument("Input is empty: set example_list or example_list_with_context");
  }
  if (serialized.empty()) return InvalidArgument("Input is empty: it has no examples");
  const int64_t n = static_cast<int64_t>(serialized.size());
  return Tensor::FromVector(serialized, TensorShape{n});
}

void FillResponseModelSpec(const ServableVersion& servable, const std::string& signature_name,
                           tensorflow::serving::ModelSpec* spec) {
  spec->set_name(servable.model_name);
  spec->mutable_version()->set_value(servable.version);
  spec->set_signature_name(signature_name);
}

void RunClassify(const InferenceCore& service, const ServableHandle& servable,
                 const Signature& signature, Tensor examples, const RunOptions& options,
                 ClassifyDone done) {
  auto plan = PlanClassify(signature, service.method_check());
  if (!plan.ok()) return done(plan.status());
  const int64_t batch = examples.num_elements();
  RunPlan(service, servable, signature, *plan, std::move(examples), options,
          [batch, done = std::move(done)](StatusOr<std::map<std::string, Tensor>> outputs) {
            if (!outputs.ok()) return done(outputs.status());
            done(ClassificationFrom(*outputs, batch));
          });
}

void RunRegress(const InferenceCore& service, const ServableHandle& servable,
                const Signature& signature, Tensor examples, const RunOptions& options,
                RegressDone done) {
  auto plan = PlanRegress(signature, service.method_check());
  if (!plan.ok()) return done(plan.status());
  const int64_t batch = examples.num_elements();
  RunPlan(service, servable, signature, *plan, std::move(examples), options,
          [batch, done = std::move(done)](StatusOr<std::map<std::string, Tensor>> outputs) {
            if (!outputs.ok()) return done(outputs.status());
            done(RegressionFrom(*outputs, batch));
          });
}

namespace {

// Collects the tasks' answers of one MultiInference request; answers once the last is in.
struct MultiJoin {
  std::mutex mu;
  size_t remaining = 0;
  std::vector<Status> errors;  // per task
  tensorflow::serving::MultiInferenceResponse response;
  MultiInferenceDone done;

  void Finish(size_t task, const Status& error,
              const std::function<void(tensorflow::serving::InferenceResult*)>& fill) {
    {
      std::lock_guard<std::mutex> lock(mu);
      if (error.ok()) {
        fill(response.mutable_results(static_cast<int>(task)));
      } else {
        errors[task] = error;
      }
      if (--remaining > 0) return;
    }
    for (const Status& e : errors) {
      if (!e.ok()) return done(e);
    }
    done(std::move(response));
  }
};

// One task of a MultiInference request, checked and planned.
struct PlannedTask {
  const Signature* signature;
  TaskPlan plan;
};

// Every task must ask for the first task's model and version.
Status CheckSameModel(const tensorflow::serving::ModelSpec& spec,
                      const tensorflow::serving::ModelSpec& first) {
  if (spec.name() != first.name() || spec.version_choice_case() != first.version_choice_case() ||
      spec.version().value() != first.version().value() ||
      spec.version_label() != first.version_label()) {
    return InvalidArgument(
        "All ModelSpecs in a MultiInferenceRequest must access the same model name and "
        "version; task for '" +
        spec.name() + "' differs from the first task's '" + first.name() + "'");
  }
  return Status::Ok();
}

StatusOr<TaskPlan> PlanTask(const tensorflow::serving::InferenceTask& task,
                            const Signature& signature, SignatureMethodCheck check) {
  if (task.method_name() == kClassifyMethod) return PlanClassify(signature, check);
  if (task.method_name() == kRegressMethod) return PlanRegress(signature, check);
  return InvalidArgument("Unsupported signature method_name: '" + task.method_name() +
                         "' (expected " + kClassifyMethod + " or " + kRegressMethod + ")");
}

// Checks and plans every task before any runs. Every signature must be distinct; each is fed
// the same examples through its own input tensor (TF2 exports give each signature its own
// placeholder), as current TF Serving does.
StatusOr<std::vector<PlannedTask>> PlanTasks(
    const ServableHandle& servable, const tensorflow::serving::MultiInferenceRequest& request,
    SignatureMethodCheck check) {
  const auto& first = request.tasks(0).model_spec();
  std::set<std::string> seen;
  std::vector<PlannedTask> tasks;
  for (const auto& task : request.tasks()) {
    const auto& spec = task.model_spec();
    TERN_RETURN_IF_ERROR(CheckSameModel(spec, first));
    TERN_ASSIGN_OR_RETURN(const Signature* signature,
                          InferenceCore::GetSignature(servable, spec.signature_name()));
    if (!seen.insert(signature->name).second) {
      return InvalidArgument("Duplicate evaluation of signature: " + signature->name);
    }
    TERN_ASSIGN_OR_RETURN(TaskPlan plan, PlanTask(task, *signature, check));
    tasks.push_back({signature, std::move(plan)});
  }
  return tasks;
}

// Runs task `index`; its result (or error) goes to `join`.
void RunTask(const InferenceCore& service, const ServableHandle& servable, const PlannedTask& task,
             size_t index, const Tensor& examples, const RunOptions& options,
             std::shared_ptr<MultiJoin> join) {
  const bool classify = task.plan.classify;
  const int64_t batch = examples.num_elements();
  RunPlan(service, servable, *task.signature, task.plan, examples, options,
          [join, index, classify, batch](StatusOr<std::map<std::string, Tensor>> outputs) {
            if (!outputs.ok()) return join->Finish(index, outputs.status(), nullptr);
            if (classify) {
              auto result = ClassificationFrom(*outputs, batch);
              if (!result.ok()) return join->Finish(index, result.status(), nullptr);
              return join->Finish(index, Status::Ok(), [&](auto* out) {
                *out->mutable_classification_result() = std::move(result).value();
              });
            }
            auto result = RegressionFrom(*outputs, batch);
            if (!result.ok()) return join->Finish(index, result.status(), nullptr);
            join->Finish(index, Status::Ok(), [&](auto* out) {
              *out->mutable_regression_result() = std::move(result).value();
            });
          });
}

}  // namespace

void RunMultiInference(const InferenceCore& service, const ServableHandle& servable,
                       const tensorflow::serving::MultiInferenceRequest& request,
                       const RunOptions& options, MultiInferenceDone done) {
  if (request.tasks().empty()) return done(InvalidArgument("MultiInferenceRequest has no tasks"));
  auto examples = SerializedExamples(request.input());
  if (!examples.ok()) return done(examples.status());
  auto tasks = PlanTasks(servable, request, service.method_check());
  if (!tasks.ok()) return done(tasks.status());

  auto join = std::make_shared<MultiJoin>();
  join->remaining = tasks->size();
  join->errors.resize(tasks->size());
  join->done = std::move(done);
  for (const PlannedTask& task : *tasks) {
    auto* out = join->response.add_results();
    FillResponseModelSpec(*servable, task.signature->name, out->mutable_model_spec());
  }
  for (size_t i = 0; i < tasks->size(); ++i) {
    RunTask(service, servable, (*tasks)[i], i, *examples, options, join);
  }
}

}  // namespace tern
