"""Does the Keras `backprop` port train the same way every time? A stress loop.

    python benchmarks/stress_backprop.py [--runs N] [--steps K] [--steps-per-execution S]

Builds both ports of `backprop` again and again from the same initial weights, trains each
on the same K batches, and counts the runs whose weights end anywhere else than the first
run's. A race between a weight update and a read of that weight shows up here only now and
then, and more often on a busy machine: run it beside other work (for example two
`python3 -c "while True: pass"`). `keras_models/backprop.py` quotes what this printed.
"""

from __future__ import annotations

import argparse
import sys

from tfport import runtime  # noqa: E402

runtime.quiet_start()
import keras  # noqa: E402
import numpy as np  # noqa: E402

from tfport.examples import keras_port, tf1_port  # noqa: E402
from tfport.profiles import get_profile  # noqa: E402
from tfport.transfer import (keras_values, keras_variables, set_keras_weights,  # noqa: E402
                             set_tf1_weights, tf1_session, tf1_values)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--steps", type=int, default=5, help="batches of 32 per run")
    parser.add_argument("--steps-per-execution", type=int, default=None,
                        help="set on the Keras model (default: the port's own)")
    args = parser.parse_args(argv)
    tf1, new = tf1_port("backprop"), keras_port("backprop")
    profile = get_profile("backprop", "quick")
    x_train, y_train, _, _ = tf1.load_data(profile)
    batches = [(x_train[i * 32:(i + 1) * 32], y_train[i * 32:(i + 1) * 32])
               for i in range(args.steps)]
    with tf1_session(tf1, profile, 0) as (sess, _):
        initial = tf1_values(sess)

    def tf1_run() -> dict[str, np.ndarray]:
        with tf1_session(tf1, profile, 0) as (sess, graph):
            set_tf1_weights(sess, initial, "the initial weights")
            for x, y in batches:
                sess.run(graph.train_op, feed_dict={graph.X: x, graph.Y: y})
            return tf1_values(sess)

    def keras_run() -> dict[str, np.ndarray]:
        keras.utils.set_random_seed(0)
        model = new.build_model(profile)
        if args.steps_per_execution:
            model.steps_per_execution = args.steps_per_execution
        variables = keras_variables("backprop", model)
        set_keras_weights(variables, initial, "the initial weights")
        if args.steps_per_execution:  # the steps inside one fit call, as the port trains
            model.fit(np.concatenate([x for x, _ in batches]), np.concatenate([y for _, y in batches]),
                      batch_size=32, shuffle=False, epochs=1, verbose=0)
        else:
            for x, y in batches:
                model.train_on_batch(x, y)
        return keras_values(variables)

    first = {"tf1": tf1_run(), "keras": keras_run()}
    elsewhere = {"tf1": 0, "keras": 0}
    for index in range(1, args.runs):
        for api, run in (("tf1", tf1_run), ("keras", keras_run)):
            weights = run()
            drift = max(float(np.abs(weights[name] - first[api][name]).max()) for name in weights)
            if drift:
                elsewhere[api] += 1
                print(f"run {index}: {api} weights differ from the first run's by up to {drift:.1e}",
                      file=sys.stderr, flush=True)
    print(f"{args.runs} runs of {args.steps} steps: ended elsewhere than the first run "
          f"{elsewhere['tf1']} times (tf1), {elsewhere['keras']} times (keras)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
