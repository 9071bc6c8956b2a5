"""Faithful TensorFlow 1 ports: `tf.compat.v1` placeholders, graphs, sessions and `feed_dict`.

`tf.compat.v1.layers.*` exist only on top of the legacy Keras 2 package (`tf-keras`). They
look for it when `tf.compat.v1.layers` is first touched, so setting the switch here, before
any port builds a graph, is enough; Keras 3 (`import keras`) is not affected by it.
"""

import os
import warnings

os.environ.setdefault("TF_USE_LEGACY_KERAS", "1")

# Every layer call here would warn that `tf.layers` is deprecated: using that API is the
# point of this package, so it is silenced here: this comment is the warning.
warnings.filterwarnings("ignore", message=r"`tf\.layers\.\w+` is deprecated", category=UserWarning)
