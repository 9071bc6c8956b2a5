"""What does each layer of Keras add to `cnn_sparse`'s training step? A ladder, rung by rung.

    python benchmarks/step_ladder.py [--train-size 12800] [--rounds 8] [--out docs/bench]

The TF1 port's step is one `sess.run` of a graph with TF1's fused Adam kernel; the Keras
port's step is `fit` calling Keras's compiled training function, which runs Keras's layers,
Keras's Adam written in `keras.ops`, the compiled loss and metrics, and reads a `tf.data`
iterator. This script climbs from the one to the other, adding one thing a rung, in one
process (the TF1 graph in its own `tf.Graph` and `Session`), on the same batches of 32 in
the same order, the rungs interleaved `--rounds` times after one warm-up pass each:

1. `tf1 sess.run`: the TF1 port's graph, one `sess.run([train_op, loss], feed_dict)` a step;
2. `Keras layers, TF1's Adam kernel`: the Keras port's model called in a `tf.function` step
   on tensors, its gradients applied with `tf.raw_ops.ResourceApplyAdam` (the kernel TF1's
   `AdamOptimizer` runs); what Keras's layers and a `tf.function` call cost against TF1's;
3. `+ Keras's Adam`: the same step with `model.optimizer.apply` (Keras 3's Adam, written in
   `keras.ops`, one element-wise operation at a time);
4. `+ compiled loss and metrics`: `tf.function(model.train_step)`, which also keeps the
   mean loss and the accuracy the port compiles;
5. `+ Keras's training function`: `model.train_function(iterator)` on a `tf.data` iterator
   (autotuning off), one call a step, as `fit` calls it (the batch read inside, wrapped in
   an `Optional`, the step a nested `tf.function`);
6. `fit (the port)`: `model.fit(x, y, batch_size=32, epochs=1, shuffle=False, verbose=0)`:
   adds `fit`'s Python loop, callbacks and logs, Keras's pipeline for NumPy arrays, and
   the `tf.data` autotuner's stall at the end of some epochs (iterator-stall.md), which a
   fastest round is likely to have missed;
7. `fit, one call an epoch`: the same with `steps_per_execution` = the steps of an epoch,
   Python entered once (what `keras fast` does on arrays).

Each round's time per step is taken over the whole pass; a rung's ratio is its time over the
TF1 step's in the same round (the median over rounds, and the range). This shared machine
has slow minutes: the fastest round of each rung (min) is shown beside the median, since
noise only adds time. The difference from the rung above is what that rung's addition costs.
"""

from __future__ import annotations

import argparse
import dataclasses
import random
import statistics
import sys
import time
from pathlib import Path
from typing import Callable

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--train-size", type=int, default=12800)
    parser.add_argument("--rounds", type=int, default=8)
    parser.add_argument("--out", default=None, help="write step-ladder.md here")
    args = parser.parse_args()
    if args.train_size < 64 or args.rounds < 1:
        parser.error("--train-size must be at least 64 and --rounds at least 1")

    from tfport import runtime

    runtime.quiet_start()
    import keras
    import tensorflow as tf

    from keras_models import cnn_sparse as keras_port
    from legacy_tf1 import cnn_sparse as tf1_port
    from tfport import backends
    from tfport.profiles import get_profile
    from tfport.report import script_report
    from tfport.tables import markdown_table, median_range

    profile = dataclasses.replace(get_profile("cnn_sparse", "article"), epochs=1,
                                  train_size=args.train_size)
    x, y, _, _ = keras_port.load_data(profile)
    batch = profile.batch_size
    steps = -(-len(x) // batch)
    batches = list(tf.data.Dataset.from_tensor_slices((x, y)).batch(batch))
    # (without the tf.data autotuner, whose stall at an iterator's end is not a step's cost:
    # iterator-stall.md)
    dataset = backends.without_autotune(tf.data.Dataset.from_tensor_slices((x, y)).batch(batch))

    # 1. The TF1 port's graph, in its own graph and session.
    runtime.use_legacy_keras()
    tf1_graph = tf.Graph()
    with tf1_graph.as_default():
        tf.compat.v1.set_random_seed(0)
        random.seed(0)
        sess = tf.compat.v1.Session(graph=tf1_graph)
        graph = tf1_port.build_model(profile)
        sess.run(tf.compat.v1.global_variables_initializer())

    def tf1_pass() -> None:
        with tf1_graph.as_default():
            for begin in range(0, len(x), batch):
                sess.run([graph.train_op, graph.loss],
                         feed_dict={graph.X: x[begin:begin + batch], graph.Y: y[begin:begin + batch]})

    def keras_model(steps_per_execution: int = 1) -> keras.Model:
        keras.utils.set_random_seed(0)
        model = keras_port.build_model(profile)
        model.steps_per_execution = steps_per_execution
        model.fit(x[:batch], y[:batch], batch_size=batch, epochs=1, verbose=0)  # builds all
        return model

    loss_fn = keras.losses.SparseCategoricalCrossentropy()  # what the port compiles

    # 2. Keras's layers, TF1's Adam kernel.
    fused = keras_model()
    beta_1, beta_2 = 0.9, 0.999
    epsilon = float(fused.optimizer.epsilon)  # Keras's default, so that only the kernel differs
    slots = [(tf.Variable(tf.zeros_like(v.value)), tf.Variable(tf.zeros_like(v.value)))
             for v in fused.trainable_variables]
    fused_step_count = tf.Variable(0.0)

    @tf.function
    def step_fused_adam(x_batch: tf.Tensor, y_batch: tf.Tensor) -> tf.Tensor:
        with tf.GradientTape() as tape:
            loss = loss_fn(y_batch, fused(x_batch, training=True))
        gradients = tape.gradient(loss, fused.trainable_variables)
        fused_step_count.assign_add(1.0)
        beta_1_power = tf.pow(beta_1, fused_step_count)
        beta_2_power = tf.pow(beta_2, fused_step_count)
        for variable, (m, v), gradient in zip(fused.trainable_variables, slots, gradients):
            tf.raw_ops.ResourceApplyAdam(
                var=variable.value.handle, m=m.handle, v=v.handle, beta1_power=beta_1_power,
                beta2_power=beta_2_power, lr=profile.learning_rate, beta1=beta_1, beta2=beta_2,
                epsilon=epsilon, grad=gradient)
        return loss

    # 3. Keras's layers and Keras's Adam.
    unfused = keras_model()

    @tf.function
    def step_keras_adam(x_batch: tf.Tensor, y_batch: tf.Tensor) -> tf.Tensor:
        with tf.GradientTape() as tape:
            loss = loss_fn(y_batch, unfused(x_batch, training=True))
        gradients = tape.gradient(loss, unfused.trainable_variables)
        unfused.optimizer.apply(gradients, unfused.trainable_variables)
        return loss

    # 4. Keras's own train_step: compiled loss, loss tracker and accuracy.
    stepped = keras_model()
    train_step = tf.function(stepped.train_step)

    def on_tensors(step: Callable) -> Callable[[], None]:
        def one_pass() -> None:
            for x_batch, y_batch in batches:
                step(x_batch, y_batch)
        return one_pass

    # 5. Keras's compiled training function, one call a step, on an iterator.
    functioned = keras_model()

    def train_function_pass() -> None:
        iterator = iter(dataset)
        for _ in range(steps):
            functioned.train_function(iterator)

    # 6. and 7. fit: the port, and one call an epoch.
    port, one_call = keras_model(), keras_model(steps)

    def fit_pass(model: keras.Model) -> Callable[[], None]:
        return lambda: model.fit(x, y, batch_size=batch, epochs=1, shuffle=False, verbose=0)

    rungs = {
        "1. tf1 sess.run (the TF1 port's step)": tf1_pass,
        "2. Keras layers, TF1's Adam kernel (tf.function)": on_tensors(step_fused_adam),
        "3. + Keras's Adam": on_tensors(step_keras_adam),
        "4. + compiled loss and metrics (train_step)": on_tensors(lambda a, b: train_step((a, b))),
        "5. + Keras's training function on an iterator": train_function_pass,
        "6. fit (the Keras port)": fit_pass(port),
        "7. fit, one call an epoch": fit_pass(one_call),
    }
    for one_pass in rungs.values():
        one_pass()  # warm-up: tracing, graph optimisation
    seconds: dict[str, list[float]] = {name: [] for name in rungs}
    for round_ in range(args.rounds):
        for name, one_pass in rungs.items():
            started = time.perf_counter()
            one_pass()
            seconds[name].append(time.perf_counter() - started)
        print(f"round {round_ + 1}/{args.rounds}: "
              + ", ".join(f"{times[-1]:.2f}" for times in seconds.values()), flush=True)
    sess.close()

    baseline = seconds["1. tf1 sess.run (the TF1 port's step)"]
    rows, previous = [], None
    for name, times in seconds.items():
        ratios = [mine / theirs for mine, theirs in zip(times, baseline)]
        median_ms = statistics.median(times) / steps * 1e3
        rows.append([name, f"{median_ms:.2f}", f"{min(times) / steps * 1e3:.2f}",
                     median_range(ratios),
                     "" if previous is None else f"{median_ms - previous:+.2f}"])
        previous = median_ms
    rows[-1][-1] = f"{rows[-1][-1]} (against 6)"
    table = markdown_table(["rung", "ms per step (median)", "ms per step (fastest round)",
                            "time / TF1 step (median, range over rounds)",
                            "ms added to the rung above (medians)"], rows)
    what = (f"cnn_sparse, article settings on {args.train_size:,} training images ({steps} steps a "
            f"pass), {args.rounds} rounds interleaved, one process, CPU. "
            f"{__doc__.split(chr(10) + chr(10), 2)[2]}")
    script_report("A Keras training step, rung by rung (cnn_sparse)", "benchmarks/step_ladder.py",
                  None, what, table, Path(args.out) / "step-ladder.md" if args.out else None)
    return 0


if __name__ == "__main__":
    sys.exit(main())
