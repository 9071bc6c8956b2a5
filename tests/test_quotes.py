"""The quotes the notebooks show are the articles' own lines, and tf_upgrade_v2 is reported
as it is."""

from pathlib import Path

import pytest

from tfport import quotes

SEEDS = Path(__file__).resolve().parent.parent.parent / "shared" / "seeds"


@pytest.mark.skipif(not SEEDS.exists(), reason="the articles (../shared/seeds) are not beside this clone")
@pytest.mark.parametrize("name", quotes.SOURCES)
def test_quote_is_the_articles_text(name):
    assert quotes.quote(name) == quotes.from_article(name, SEEDS)


def test_article_000_code_is_the_tf1_script():
    code = quotes.code("mlp_gd")
    assert code.startswith("import numpy as np") and "tf.layers.dense" in code
    compile(code, "mlp_gd", "exec")  # it is Python as printed, even if it cannot run


def test_unknown_quote_names_the_known_ones():
    with pytest.raises(KeyError, match="mlp_gd"):
        quotes.quote("nope")


def test_tf_upgrade_v2_on_the_article_and_what_it_takes_to_run():
    from tfport import upgrade

    converted = upgrade.upgrade(quotes.code("mlp_gd"))
    assert "tf.compat.v1.placeholder" in converted.upgraded
    # What the notebook shows as the script's blind spot: tf.layers stays as it was.
    assert "tf.layers.dense" in converted.upgraded and "tf.layers" not in converted.report
    attempts = upgrade.try_upgraded(converted.upgraded, train_size=64, test_size=100)
    assert [attempt.ran for attempt in attempts] == [False, False, True], attempts
    assert "eager execution" in attempts[0].output
    assert "layers" in attempts[1].output
    assert "Test accuracy:" in attempts[2].output
