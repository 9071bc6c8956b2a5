"""The TF1 ports' training loop (legacy_tf1/feeding.py) does what `fit` does with its batches.

`tfport verify` runs both loops in order (shuffle off) so that their weights can be compared;
what it cannot see is the shuffling itself, which these check on a recording step.
"""

from __future__ import annotations

import numpy as np
import tensorflow as tf

from legacy_tf1 import feeding
from tfport.profiles import Profile

PROFILE = Profile("test", epochs=3, batch_size=4, learning_rate=0.1)


def recorded_batches(profile: Profile, samples: int = 10, seed: int = 0):
    x = np.arange(samples, dtype="float32")
    seen = []

    def step(x_batch, y_batch):
        seen.append(x_batch.astype(int).tolist())
        return float(len(x_batch))  # a loss equal to the batch's size

    with tf.Graph().as_default():  # the order comes from the graph seed, as a run sets it
        tf.compat.v1.set_random_seed(seed)
        history = feeding.shuffled_epochs(step, x, x, profile, verbose=0)
    return seen, history


def test_every_epoch_sees_every_sample_once_in_batches_of_the_profiles_size():
    seen, _ = recorded_batches(PROFILE)
    assert [len(batch) for batch in seen] == [4, 4, 2] * 3  # the last batch short, not dropped
    for epoch in range(3):
        assert sorted(sum(seen[3 * epoch:3 * epoch + 3], [])) == list(range(10))


def test_each_epoch_is_shuffled_anew_from_the_seed():
    seen, _ = recorded_batches(PROFILE)
    epochs = [sum(seen[3 * e:3 * e + 3], []) for e in range(3)]
    assert len({tuple(order) for order in epochs}) == 3, "every epoch must reshuffle"
    assert epochs[0] != list(range(10))
    assert recorded_batches(PROFILE)[0] == seen  # the same seed, the same batches
    assert recorded_batches(PROFILE, seed=1)[0] != seen


def test_shuffle_off_feeds_the_samples_in_order():
    seen, _ = recorded_batches(Profile("test", epochs=2, batch_size=4, learning_rate=0.1,
                                       shuffle=False))
    assert seen == [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]] * 2


def test_the_epoch_loss_is_the_mean_over_samples_as_in_keras():
    # Batches of 4, 4 and 2 with losses 4, 4 and 2: over samples (4*4 + 4*4 + 2*2) / 10 = 3.6;
    # the unweighted mean of the batch losses would be 3.33.
    _, history = recorded_batches(PROFILE)
    np.testing.assert_allclose(history["loss"], [3.6] * 3)
