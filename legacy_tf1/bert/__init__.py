"""BERT as google-research/bert wrote it for TensorFlow 1, rewritten here for `tf.compat.v1`.

The layout follows that repository: `tokenization.py` (basic tokenization, then WordPiece),
`modeling.py` (the config, embeddings, Transformer encoder and pooler, with the variable
names of every released BERT checkpoint) and `optimization.py` (AdamWeightDecay with warm-up
and linear decay). The code is this project's own; the names, shapes and maths are BERT's.
"""
