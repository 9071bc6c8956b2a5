"""Static checks: each port's optimizer, loss and metric are the article's (tfport/recipe.py).

Read from the compiled Keras model and from the TF1 graph, built on the article profile;
seconds each, no training. They catch what `tfport verify` cannot: a setting that both
ports, or the profile they share, get wrong in the same way.
"""

from __future__ import annotations

import math

import keras
import pytest

from tfport import recipe
from tfport.examples import EXAMPLES, keras_port, tf1_port
from tfport.profiles import get_profile
from tfport.transfer import tf1_session


def test_every_example_with_an_optimizer_has_the_articles_recipe():
    # sigmoid_step is one hand-computed step of one neuron: no optimizer, no compiled model.
    assert set(recipe.ARTICLE) == set(EXAMPLES) - {"sigmoid_step"}


@pytest.mark.parametrize("example_id", list(recipe.ARTICLE))
def test_the_article_profile_uses_the_articles_learning_rate(example_id):
    _, learning_rate, _ = recipe.ARTICLE[example_id]
    if learning_rate is not None:
        assert math.isclose(get_profile(example_id, "article").learning_rate, learning_rate)


@pytest.mark.parametrize("example_id", list(recipe.ARTICLE))
def test_tf1_graph_trains_with_the_articles_recipe(example_id):
    profile = get_profile(example_id, "article")
    with tf1_session(tf1_port(example_id), profile) as (_, graph):
        found = recipe.tf1_recipe(graph)
    assert found.differences(recipe.expected(example_id, "tf1", profile)) == [], found


@pytest.mark.parametrize("example_id", list(recipe.ARTICLE))
def test_keras_model_compiles_the_articles_recipe(example_id):
    profile = get_profile(example_id, "article")
    found = recipe.keras_recipe(keras_port(example_id).build_model(profile))
    assert found.differences(recipe.expected(example_id, "keras", profile)) == [], found


def test_a_changed_default_or_loss_is_named():
    profile = get_profile("cnn_sparse", "article")
    model = keras_port("cnn_sparse").build_model(profile)
    model.compile(optimizer=keras.optimizers.Adam(profile.learning_rate, epsilon=1e-8),
                  loss="categorical_crossentropy", metrics=["accuracy"])
    differences = recipe.keras_recipe(model).differences(
        recipe.expected("cnn_sparse", "keras", profile))
    assert differences == ["loss: categorical_crossentropy vs sparse_categorical_crossentropy",
                           "epsilon: 1e-08 vs 1e-07"]
