"""tf.Module exports of the zoo: several signatures, functional control flow (If/While),
stateful variables, every serving dtype, unknown dimensions and scalar outputs.

Each exporter writes a SavedModel to `path` and returns input hints for the conformance runner.
"""
import tensorflow as tf


def _spec(shape, dtype, name):
    return tf.TensorSpec(shape, dtype, name=name)


class MultiSignature(tf.Module):
    def __init__(self):
        super().__init__()
        self.w = tf.Variable(tf.random.stateless_normal([4, 3], seed=[1, 2]), name="w")

    @tf.function(input_signature=[_spec([None, 4], tf.float32, "x")])
    def project(self, x):
        return {"y": tf.matmul(x, self.w)}

    @tf.function(input_signature=[_spec([None], tf.float32, "a"), _spec([None], tf.float32, "b")])
    def add_mul(self, a, b):
        return {"sum": a + b, "product": a * b, "difference": a - b}

    @tf.function(input_signature=[_spec([None, None], tf.float32, "m")])
    def reduce(self, m):
        return {"total": tf.reduce_sum(m), "row_max": tf.reduce_max(m, axis=1),
                "mean": tf.reduce_mean(m, axis=0)}


def module_multi_signature(path):
    m = MultiSignature()
    tf.saved_model.save(m, path, signatures={"serving_default": m.project, "add_mul": m.add_mul,
                                             "reduce": m.reduce})
    return {}


class ControlFlow(tf.Module):
    @tf.function(input_signature=[_spec([None], tf.float32, "x")])
    def cond(self, x):
        # A data-dependent predicate: StatelessIf in the function body.
        y = tf.cond(tf.reduce_sum(x) > 0, lambda: x * 2.0, lambda: x - 1.0)
        return {"y": y}

    @tf.function(input_signature=[_spec([None], tf.float32, "x"), _spec([], tf.int32, "n")])
    def loop(self, x, n):
        # tf.while_loop: While/StatelessWhile with a loop-carried tensor and counter.
        i = tf.constant(0)
        _, y = tf.while_loop(lambda i, y: i < n, lambda i, y: (i + 1, y * 0.5 + 1.0), (i, x))
        return {"y": y}

    @tf.function(input_signature=[_spec([None], tf.int32, "k")])
    def python_loop(self, k):
        total = tf.zeros([], tf.int32)
        for v in k:  # autograph: a While over the elements
            total += v * v
        return {"sum_squares": total}


def module_control_flow(path):
    m = ControlFlow()
    tf.saved_model.save(m, path, signatures={"serving_default": m.cond, "loop": m.loop,
                                             "python_loop": m.python_loop})
    return {"n": {"kind": "int", "low": 0, "high": 6}, "k": {"kind": "int", "low": -9, "high": 9}}


class Counter(tf.Module):
    def __init__(self):
        super().__init__()
        self.count = tf.Variable(10.0, name="count")

    @tf.function(input_signature=[_spec([None], tf.float32, "delta")])
    def add(self, delta):
        # AssignAddVariableOp: every call changes the state the next call reads.
        self.count.assign_add(tf.reduce_sum(delta))
        return {"count": self.count.read_value()}


def module_stateful_counter(path):
    m = Counter()
    tf.saved_model.save(m, path, signatures={"serving_default": m.add})
    return {"__stateful__": True}


class Dtypes(tf.Module):
    pass


def module_dtypes(path):
    m = Dtypes()
    sigs = {}
    for dt in (tf.int8, tf.int16, tf.int32, tf.int64, tf.uint8, tf.float16, tf.float64):
        @tf.function(input_signature=[_spec([None, 2], dt, "x")])
        def f(x, dt=dt):
            if dt.is_floating:
                return {"y": x * tf.constant(1.5, dt) + tf.constant(1, dt), "neg": -x}
            return {"y": x * tf.constant(3, dt) + x, "max": tf.reduce_max(x, axis=1)}
        setattr(m, "f_" + dt.name, f)
        sigs[dt.name] = f

    @tf.function(input_signature=[_spec([None], tf.bool, "a"), _spec([None], tf.bool, "b")])
    def logic(a, b):
        return {"and": tf.logical_and(a, b), "or": tf.logical_or(a, b), "not": tf.logical_not(a)}

    @tf.function(input_signature=[_spec([None], tf.string, "s")])
    def strings(s):
        return {"joined": tf.strings.join([s, "!"], separator="-"), "length": tf.strings.length(s),
                "upper": tf.strings.upper(s)}

    m.logic, m.strings = logic, strings
    sigs.update({"serving_default": sigs["float64"], "logic": logic, "string": strings})
    tf.saved_model.save(m, path, signatures=sigs)
    return {"x": {"kind": "int", "low": -20, "high": 20},
            "s": {"kind": "string", "vocab": ["tern", "Model", "", "a b", "\u00e9t\u00e9"]}}


class UnknownDims(tf.Module):
    @tf.function(input_signature=[_spec(None, tf.float32, "x")])
    def any_rank(self, x):
        return {"total": tf.reduce_sum(x), "size": tf.size(x), "doubled": x * 2.0}

    @tf.function(input_signature=[_spec([None, None, 3], tf.float32, "x")])
    def partial(self, x):
        return {"norm": tf.sqrt(tf.reduce_sum(tf.square(x), axis=-1)),
                "rank": tf.rank(x), "shape": tf.shape(x)}


def module_unknown_dims(path):
    m = UnknownDims()
    tf.saved_model.save(m, path, signatures={"serving_default": m.partial,
                                             "any_rank": m.any_rank})
    return {}


EXPORTERS = [module_multi_signature, module_control_flow, module_stateful_counter, module_dtypes,
             module_unknown_dims]
