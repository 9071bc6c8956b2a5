"""The Keras optimizer that makes BERT's update: Keras's AdamW without Adam's bias correction.

google-research/bert's `AdamWeightDecayOptimizer` (legacy_tf1/bert/optimization.py) has none;
Keras's decoupled weight decay already equals BERT's (docs/migration-notes.md, "Bias correction").
"""

from __future__ import annotations

import keras
from keras import ops


class AdamWeightDecay(keras.optimizers.AdamW):
    """`keras.optimizers.AdamW` without bias correction: BERT's AdamWeightDecay update."""

    def update_step(self, gradient, variable, learning_rate):
        lr = ops.cast(learning_rate, variable.dtype)
        gradient = ops.cast(gradient, variable.dtype)
        m = self._momentums[self._get_variable_index(variable)]
        v = self._velocities[self._get_variable_index(variable)]
        self.assign_add(m, ops.multiply(ops.subtract(gradient, m), 1 - self.beta_1))
        self.assign_add(v, ops.multiply(ops.subtract(ops.square(gradient), v), 1 - self.beta_2))
        self.assign_sub(variable,
                        ops.divide(ops.multiply(m, lr), ops.add(ops.sqrt(v), self.epsilon)))

    @classmethod
    def like(cls, optimizer: keras.optimizers.AdamW) -> AdamWeightDecay:
        """This optimizer with every setting of `optimizer`, schedule and decay exclusions
        included (Keras keeps those in private attributes)."""
        new = cls(learning_rate=optimizer._learning_rate, weight_decay=optimizer.weight_decay,
                  beta_1=optimizer.beta_1, beta_2=optimizer.beta_2, epsilon=optimizer.epsilon,
                  clipnorm=optimizer.clipnorm, global_clipnorm=optimizer.global_clipnorm)
        new._exclude_from_weight_decay = set(getattr(optimizer, "_exclude_from_weight_decay", ()))
        new._exclude_from_weight_decay_pattern = getattr(
            optimizer, "_exclude_from_weight_decay_pattern", None)
        return new
