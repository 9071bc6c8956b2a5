"""Why does cnn_sparse train more slowly on Keras's JAX and PyTorch backends on a CPU?

    python benchmarks/backend_kernels.py [--repeats 200] [--out docs/bench]

The same pieces of cnn_sparse's training step (batch 32: a 3x3 convolution of 1 to 32
channels with bias and ReLU, 2x2 max-pooling, a 5408 x 128 dense layer, Adam over the
network's 693,962 weights), each timed alone in the three frameworks Keras 3 runs on, in one
process, each compiled the way its Keras backend compiles a training step:

- TensorFlow: a `tf.function` (graph optimised by grappler, oneDNN kernels), with TF1's
  `AdamOptimizer` (one fused `ResourceApplyAdam` a variable), as the TF1 port's step: the
  TensorFlow column is the baseline the bench divides by, not Keras on TensorFlow;
- JAX: `jax.jit` (XLA's CPU compiler);
- PyTorch: eager, op by op, as Keras's PyTorch backend runs a step (`jit_compile` off).

Each piece is a forward pass and, where it has weights, its gradient; the last row is the
whole step (forward, backward, Adam) written directly in each framework, without Keras. The
median over `--repeats` calls after a warm-up, in milliseconds; JAX's results are waited for
(`block_until_ready`), TensorFlow's and PyTorch's calls return when done on a CPU.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path
from typing import Callable

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

BATCH, CLASSES = 32, 10
PIECES = ["convolution + bias + ReLU, forward and filter gradient",
          "max-pooling 2x2, forward and gradient",
          "dense 5408 x 128 + ReLU, forward and both gradients",
          "Adam update of all 693,962 weights",
          "the whole training step (forward, backward, Adam)"]


def median_ms(call: Callable[[], object], repeats: int) -> float:
    for _ in range(10):
        call()
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        call()
        times.append(time.perf_counter() - started)
    return 1000 * statistics.median(times)


def arrays() -> dict:
    import numpy as np

    rng = np.random.default_rng(0)
    f32 = np.float32
    return {"x": rng.random((BATCH, 28, 28, 1), dtype=f32), "y": rng.integers(0, CLASSES, BATCH),
            "conv_w": rng.normal(0, 0.1, (3, 3, 1, 32)).astype(f32), "conv_b": np.zeros(32, f32),
            "pooled": rng.random((BATCH, 26, 26, 32), dtype=f32),
            "flat": rng.random((BATCH, 5408), dtype=f32),
            "dense_w": rng.normal(0, 0.01, (5408, 128)).astype(f32), "dense_b": np.zeros(128, f32),
            "out_w": rng.normal(0, 0.1, (128, CLASSES)).astype(f32),
            "out_b": np.zeros(CLASSES, f32)}


WEIGHTS = ("conv_w", "conv_b", "dense_w", "dense_b", "out_w", "out_b")


def tensorflow_times(a: dict, repeats: int) -> list[float]:
    import tensorflow as tf

    v = {name: tf.Variable(a[name]) for name in WEIGHTS}
    x, y, pooled, flat = (tf.constant(a[k]) for k in ("x", "y", "pooled", "flat"))
    optimizer = tf.compat.v1.train.AdamOptimizer(1e-3)  # TF1's fused ResourceApplyAdam

    def forward(inputs):
        h = tf.nn.relu(tf.nn.bias_add(tf.nn.conv2d(inputs, v["conv_w"], 1, "VALID"), v["conv_b"]))
        h = tf.reshape(tf.nn.max_pool2d(h, 2, 2, "VALID"), (BATCH, -1))
        h = tf.nn.relu(h @ v["dense_w"] + v["dense_b"])
        return h @ v["out_w"] + v["out_b"]

    @tf.function
    def conv():
        with tf.GradientTape() as tape:
            out = tf.nn.relu(tf.nn.bias_add(tf.nn.conv2d(x, v["conv_w"], 1, "VALID"), v["conv_b"]))
            total = tf.reduce_sum(out)
        return tape.gradient(total, [v["conv_w"], v["conv_b"]])

    @tf.function
    def pool():
        with tf.GradientTape() as tape:
            tape.watch(pooled)
            total = tf.reduce_sum(tf.nn.max_pool2d(pooled, 2, 2, "VALID"))
        return tape.gradient(total, pooled)

    @tf.function
    def dense():
        with tf.GradientTape() as tape:
            tape.watch(flat)
            total = tf.reduce_sum(tf.nn.relu(flat @ v["dense_w"] + v["dense_b"]))
        return tape.gradient(total, [flat, v["dense_w"], v["dense_b"]])

    gradients = [tf.ones_like(v[name]) * 1e-3 for name in WEIGHTS]

    @tf.function
    def adam():
        optimizer.apply_gradients(zip(gradients, [v[name] for name in WEIGHTS]))

    @tf.function
    def step():
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(
                labels=y, logits=forward(x)))
        weights = [v[name] for name in WEIGHTS]
        optimizer.apply_gradients(zip(tape.gradient(loss, weights), weights))
        return loss

    return [median_ms(f, repeats) for f in (conv, pool, dense, adam, step)]


def jax_conv2d(inputs, w):
    import jax

    return jax.lax.conv_general_dilated(inputs, w, (1, 1), "VALID",
                                        dimension_numbers=("NHWC", "HWIO", "NHWC"))


def jax_max_pool(h):
    import jax
    import jax.numpy as jnp

    return jax.lax.reduce_window(h, -jnp.inf, jax.lax.max, (1, 2, 2, 1), (1, 2, 2, 1), "VALID")


def jax_adam_update(q, m, s, g, t):
    import jax
    import jax.numpy as jnp

    lr, b1, b2, eps = 1e-3, 0.9, 0.999, 1e-7
    m = jax.tree.map(lambda m, g: b1 * m + (1 - b1) * g, m, g)
    s = jax.tree.map(lambda s, g: b2 * s + (1 - b2) * g * g, s, g)
    alpha = lr * jnp.sqrt(1 - b2 ** t) / (1 - b1 ** t)
    q = jax.tree.map(lambda w, m, s: w - alpha * m / (jnp.sqrt(s) + eps), q, m, s)
    return q, m, s


def jax_training_step(a: dict) -> tuple[Callable, tuple]:
    """The whole training step in plain JAX, not yet jitted: `step(q, m, s, t)` runs forward,
    backward and Adam on the one batch of `a` and returns the new weights and moments; and
    its first arguments (the weights of `a`, zero moments, t = 1)."""
    import jax
    import jax.numpy as jnp

    x, y = jnp.asarray(a["x"]), jnp.asarray(a["y"])

    def loss_of(q):
        h = jax_max_pool(jax.nn.relu(jax_conv2d(x, q["conv_w"]) + q["conv_b"]))
        h = jax.nn.relu(h.reshape(BATCH, -1) @ q["dense_w"] + q["dense_b"])
        logits = h @ q["out_w"] + q["out_b"]
        return -jnp.mean(jnp.take_along_axis(jax.nn.log_softmax(logits), y[:, None], axis=1))

    def step(q, m, s, t):
        return jax_adam_update(q, m, s, jax.grad(loss_of)(q), t)

    q = {name: jnp.asarray(a[name]) for name in WEIGHTS}
    zeros = jax.tree.map(jnp.zeros_like, q)
    return step, (q, zeros, zeros, 1.0)


def jax_times(a: dict, repeats: int) -> list[float]:
    import jax
    import jax.numpy as jnp

    x, pooled, flat = (jnp.asarray(a[k]) for k in ("x", "pooled", "flat"))
    conv = jax.jit(jax.grad(lambda w, b: jnp.sum(jax.nn.relu(jax_conv2d(x, w) + b)),
                            argnums=(0, 1)))
    pool = jax.jit(jax.grad(lambda h: jnp.sum(jax_max_pool(h))))
    dense = jax.jit(jax.grad(lambda h, w, b: jnp.sum(jax.nn.relu(h @ w + b)), argnums=(0, 1, 2)))
    adam = jax.jit(jax_adam_update)
    step, (p, zeros, _, _) = jax_training_step(a)
    step = jax.jit(step)
    gradients = jax.tree.map(lambda w: jnp.full_like(w, 1e-3), p)
    ready = jax.block_until_ready
    return [median_ms(lambda: ready(conv(p["conv_w"], p["conv_b"])), repeats),
            median_ms(lambda: ready(pool(pooled)), repeats),
            median_ms(lambda: ready(dense(flat, p["dense_w"], p["dense_b"])), repeats),
            median_ms(lambda: ready(adam(p, zeros, zeros, gradients, 1.0)), repeats),
            median_ms(lambda: ready(step(p, zeros, zeros, 1.0)), repeats)]


def torch_times(a: dict, repeats: int) -> list[float]:
    import torch
    import torch.nn.functional as F

    def tensor(name, grad=False):
        # PyTorch keeps channels first: NHWC -> NCHW, HWIO -> OIHW, as Keras's torch backend does
        value = torch.from_numpy(a[name])
        if name in ("x", "pooled"):
            value = value.permute(0, 3, 1, 2).contiguous()
        if name == "conv_w":
            value = value.permute(3, 2, 0, 1).contiguous()
        return value.requires_grad_(grad)

    w = {name: tensor(name, grad=True) for name in WEIGHTS}
    x, pooled, flat = tensor("x"), tensor("pooled", grad=True), tensor("flat", grad=True)
    y = torch.from_numpy(a["y"])
    optimizer = torch.optim.Adam(list(w.values()), lr=1e-3, foreach=False)

    def conv():
        total = F.relu(F.conv2d(x, w["conv_w"], w["conv_b"])).sum()
        return torch.autograd.grad(total, [w["conv_w"], w["conv_b"]])

    def pool():
        return torch.autograd.grad(F.max_pool2d(pooled, 2).sum(), [pooled])

    def dense():
        total = F.relu(flat @ w["dense_w"] + w["dense_b"]).sum()
        return torch.autograd.grad(total, [flat, w["dense_w"], w["dense_b"]])

    for value in w.values():
        value.grad = torch.full_like(value, 1e-3)

    def adam():
        with torch.no_grad():
            optimizer.step()

    def step():
        optimizer.zero_grad()
        h = F.relu(F.conv2d(x, w["conv_w"], w["conv_b"]))
        h = F.max_pool2d(h, 2).permute(0, 2, 3, 1).reshape(BATCH, -1)
        h = F.relu(h @ w["dense_w"] + w["dense_b"])
        F.cross_entropy(h @ w["out_w"] + w["out_b"], y).backward()
        optimizer.step()

    return [median_ms(f, repeats) for f in (conv, pool, dense, adam, step)]


def report(times: dict[str, list[float]], repeats: int, out: str | None) -> str:
    """The table, through the project's one report writer (tfport/report.py)."""
    import jax
    import torch

    from tfport.backends import cpu_model
    from tfport.report import script_report
    from tfport.tables import markdown_table

    rows = []
    for index, piece in enumerate(PIECES):
        tf_ms, jax_ms, torch_ms = (times[name][index] for name in ("tensorflow", "jax", "torch"))
        rows.append([piece, f"{tf_ms:.3f}", f"{jax_ms:.3f}", f"{torch_ms:.3f}",
                     f"{jax_ms / tf_ms:.2f}", f"{torch_ms / tf_ms:.2f}"])
    table = markdown_table(["piece", "TensorFlow ms", "JAX (XLA) ms", "PyTorch ms",
                            "JAX / TensorFlow", "PyTorch / TensorFlow"], rows)
    what = (f"JAX {jax.__version__}, PyTorch {torch.__version__}, CPU: {cpu_model()}; "
            f"{repeats} calls of each piece. {__doc__.split(chr(10) + chr(10), 2)[2]}")
    path = Path(out) / "backend-kernels.md" if out else None
    return script_report("cnn_sparse's step piece by piece in TensorFlow, JAX and PyTorch (CPU)",
                         "benchmarks/backend_kernels.py", sys.argv[1:], what, table, path)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=200)
    parser.add_argument("--out", help="folder for backend-kernels.md (default: print only)")
    args = parser.parse_args(argv)
    if args.repeats < 1:
        print(f"backend_kernels.py: --repeats must be at least 1, got {args.repeats}",
              file=sys.stderr)
        return 2
    from tfport import runtime

    runtime.quiet_start()
    a = arrays()
    times = {"tensorflow": tensorflow_times(a, args.repeats), "jax": jax_times(a, args.repeats),
             "torch": torch_times(a, args.repeats)}
    report(times, args.repeats, args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
