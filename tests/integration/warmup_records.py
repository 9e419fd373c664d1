"""Warmup records (assets.extra/tf_serving_warmup_requests) for half_plus_two-like models,
shared by the warmup tests of both runtimes."""
import tensorflow as tf
from tensorflow_serving.apis import (classification_pb2, inference_pb2, input_pb2, predict_pb2,
                                     prediction_log_pb2, regression_pb2)


def write_warmup(version_dir, input_name):
    """A warmup file written by TensorFlow's own TFRecord writer, as TF Serving documents:
    three predict records plus one each of classify, regress and multi_inference on tf.Examples
    (half_plus_two's signatures)."""
    example = tf.train.Example(features=tf.train.Features(feature={
        "x": tf.train.Feature(float_list=tf.train.FloatList(value=[1.0]))}))
    examples = input_pb2.Input(example_list=input_pb2.ExampleList(examples=[example]))
    (version_dir / "assets.extra").mkdir()
    with tf.io.TFRecordWriter(str(version_dir / "assets.extra" / "tf_serving_warmup_requests")) as w:
        for _ in range(3):
            request = predict_pb2.PredictRequest()
            request.model_spec.name = "w"
            request.inputs[input_name].CopyFrom(tf.make_tensor_proto([[1.0]], dtype=tf.float32))
            w.write(prediction_log_pb2.PredictionLog(
                predict_log=prediction_log_pb2.PredictLog(request=request)).SerializeToString())
        classify = classification_pb2.ClassificationRequest(input=examples)
        classify.model_spec.signature_name = "classify_x_to_y"
        w.write(prediction_log_pb2.PredictionLog(classify_log=prediction_log_pb2.ClassifyLog(
            request=classify)).SerializeToString())
        regress = regression_pb2.RegressionRequest(input=examples)
        regress.model_spec.signature_name = "regress_x_to_y"
        w.write(prediction_log_pb2.PredictionLog(regress_log=prediction_log_pb2.RegressLog(
            request=regress)).SerializeToString())
        multi = inference_pb2.MultiInferenceRequest(input=examples)
        for signature in ("regress_x_to_y", "regress_x_to_y2"):
            task = multi.tasks.add()
            task.model_spec.signature_name = signature
            task.method_name = "tensorflow/serving/regress"
        w.write(prediction_log_pb2.PredictionLog(multi_inference_log=prediction_log_pb2.MultiInferenceLog(
            request=multi)).SerializeToString())
