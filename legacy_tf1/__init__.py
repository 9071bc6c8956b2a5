"""Faithful TensorFlow 1 ports: `tf.compat.v1` placeholders, graphs, sessions and `feed_dict`.

One module per example (`legacy_tf1/<id>.py`), the article's program as a 2017-2019
TensorFlow user wrote it. Two helpers hold what every port does the same way:
`session.py` (a graph and a seeded Session per run, the run scaffold) and `feeding.py`
(shuffled mini-batches and batched evaluation through `feed_dict`).
"""
