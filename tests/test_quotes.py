"""The quotes the notebooks show are the articles' own lines, and tf_upgrade_v2 is reported
as it is."""

import re
from pathlib import Path

import pytest

from tfport import quotes

SEEDS = Path(__file__).resolve().parent.parent.parent / "shared" / "seeds"


def line_ranges(lines: str) -> list[tuple[int, int]]:
    """'200-229, output 247-251' -> [(200, 229), (247, 251)] (1-based, inclusive)."""
    return [(int(first), int(last)) for first, last in re.findall(r"(\d+)-(\d+)", lines)]


def from_article(name: str, seeds_dir: Path) -> str:
    """The quote cut fresh from the article in `seeds_dir`, ranges separated by '[...]'."""
    article, lines = quotes.SOURCES[name]
    text = (seeds_dir / article).read_text(encoding="utf-8").splitlines()
    parts = ["\n".join(text[first - 1:last]) for first, last in line_ranges(lines)]
    return "\n\n[...]\n\n".join(parts) + "\n"


def test_line_ranges_read_snippets_md_notation():
    assert line_ranges("172-197, output 205-218") == [(172, 197), (205, 218)]


@pytest.mark.skipif(not SEEDS.exists(), reason="the articles (../shared/seeds) are not beside this clone")
@pytest.mark.parametrize("name", quotes.SOURCES)
def test_quote_is_the_articles_text(name):
    assert quotes.quote(name) == from_article(name, SEEDS)


def test_article_000_code_is_the_tf1_script():
    code = quotes.code("mlp_gd")
    assert code.startswith("import numpy as np") and "tf.layers.dense" in code
    compile(code, "mlp_gd", "exec")  # it is Python as printed, even if it cannot run


def test_unknown_quote_names_the_known_ones():
    with pytest.raises(KeyError, match="mlp_gd"):
        quotes.quote("nope")


def test_articles_holds_one_quote_per_example_and_nothing_else():
    names = {path.stem for path in quotes.ARTICLES.glob("*.md")} - {"README"}
    assert names == set(quotes.SOURCES)


def test_a_missing_quote_file_says_where_the_quotes_live(tmp_path, monkeypatch):
    monkeypatch.setattr(quotes, "ARTICLES", tmp_path)
    with pytest.raises(FileNotFoundError, match="mlp_gd.md is missing.*articles/"):
        quotes.quote("mlp_gd")


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
