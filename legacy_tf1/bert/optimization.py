"""BERT's optimizer, as google-research/bert's `optimization.py` defines it, in `tf.compat.v1`.

`create_optimizer` gives the training op `run_classifier.py` uses: the learning rate rises
linearly from 0 over the first `num_warmup_steps` and then falls linearly to 0 at
`num_train_steps`; the gradients are clipped to a global norm of 1.0; and
`AdamWeightDecayOptimizer` applies Adam **without bias correction** plus a weight decay of
0.01 added to the update ("decoupled", as in AdamW), except for LayerNorm and bias
variables. Keras's `AdamW` corrects Adam's bias: that is the one difference between the two
ports' updates (`tfport verify bert_classifier` measures it).
"""

from __future__ import annotations

import re

import tensorflow as tf


# Variables whose names match are not decayed: LayerNorm's and the biases.
EXCLUDE_FROM_WEIGHT_DECAY = ["LayerNorm", "layer_norm", "bias"]


def create_optimizer(loss: tf.Tensor, init_lr: float, num_train_steps: int,
                     num_warmup_steps: int) -> tf.Operation:
    """The training op: warm-up, linear decay, clipping, AdamWeightDecay, global step + 1."""
    global_step = tf.compat.v1.train.get_or_create_global_step()
    learning_rate = tf.compat.v1.train.polynomial_decay(
        tf.constant(init_lr, dtype=tf.float32), global_step, num_train_steps,
        end_learning_rate=0.0, power=1.0, cycle=False)
    if num_warmup_steps:
        # Linear warm-up: at global step s < num_warmup_steps, init_lr * s / num_warmup_steps
        # (so the first step, s = 0, moves nothing).
        global_steps_float = tf.cast(global_step, tf.float32)
        warmup_steps_float = tf.constant(num_warmup_steps, dtype=tf.float32)
        warmup_learning_rate = init_lr * global_steps_float / warmup_steps_float
        is_warmup = tf.cast(global_steps_float < warmup_steps_float, tf.float32)
        learning_rate = (1.0 - is_warmup) * learning_rate + is_warmup * warmup_learning_rate

    optimizer = AdamWeightDecayOptimizer(
        learning_rate=learning_rate, weight_decay_rate=0.01, beta_1=0.9, beta_2=0.999,
        epsilon=1e-6, exclude_from_weight_decay=EXCLUDE_FROM_WEIGHT_DECAY)
    tvars = tf.compat.v1.trainable_variables()
    grads = tf.gradients(loss, tvars)
    # This is how the model was pre-trained.
    (grads, _) = tf.clip_by_global_norm(grads, clip_norm=1.0)
    train_op = optimizer.apply_gradients(zip(grads, tvars), global_step=global_step)
    # AdamWeightDecayOptimizer does not step the global step itself.
    # Fix: google-research/bert grouped the increment with the update (`tf.group`), so the
    # learning rate's read of the global step raced the increment and came out as step s or
    # s + 1 from run to run (google-research/bert#1050; here two TF1 runs of one seed ended
    # at different accuracies). Incrementing after the update makes it step s every time.
    with tf.control_dependencies([train_op]):
        new_global_step = global_step + 1
        return tf.group(train_op, [global_step.assign(new_global_step)])


class AdamWeightDecayOptimizer(tf.compat.v1.train.Optimizer):
    """Adam with decoupled weight decay and no bias correction, as BERT trains."""

    def __init__(self, learning_rate, weight_decay_rate: float = 0.0, beta_1: float = 0.9,
                 beta_2: float = 0.999, epsilon: float = 1e-6,
                 exclude_from_weight_decay: list[str] | None = None,
                 name: str = "AdamWeightDecayOptimizer"):
        super().__init__(False, name)
        self.learning_rate = learning_rate
        self.weight_decay_rate = weight_decay_rate
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon
        self.exclude_from_weight_decay = exclude_from_weight_decay

    def apply_gradients(self, grads_and_vars, global_step=None, name=None) -> tf.Operation:
        assignments = []
        for (grad, param) in grads_and_vars:
            if grad is None or param is None:
                continue
            param_name = self._get_variable_name(param.name)
            m = tf.compat.v1.get_variable(
                name=param_name + "/adam_m", shape=param.shape.as_list(), dtype=tf.float32,
                trainable=False, initializer=tf.compat.v1.zeros_initializer())
            v = tf.compat.v1.get_variable(
                name=param_name + "/adam_v", shape=param.shape.as_list(), dtype=tf.float32,
                trainable=False, initializer=tf.compat.v1.zeros_initializer())
            # Standard Adam moments...
            next_m = tf.multiply(self.beta_1, m) + tf.multiply(1.0 - self.beta_1, grad)
            next_v = tf.multiply(self.beta_2, v) + tf.multiply(1.0 - self.beta_2, tf.square(grad))
            # ... without bias correction, and the weight decay added to the update itself
            # (not to the loss, where it would mix with Adam's moments).
            update = next_m / (tf.sqrt(next_v) + self.epsilon)
            if self._do_use_weight_decay(param_name):
                update += self.weight_decay_rate * param
            next_param = param - self.learning_rate * update
            assignments.extend([param.assign(next_param), m.assign(next_m), v.assign(next_v)])
        return tf.group(*assignments, name=name)

    def _do_use_weight_decay(self, param_name: str) -> bool:
        if not self.weight_decay_rate:
            return False
        return not any(re.search(pattern, param_name) is not None
                       for pattern in self.exclude_from_weight_decay or [])

    @staticmethod
    def _get_variable_name(param_name: str) -> str:
        match = re.match("^(.*):\\d+$", param_name)
        return match.group(1) if match is not None else param_name
