"""Word classes (`lexicons/words.jsonl`): every label loads into its field, a bad row is refused."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from typing import get_args

import pytest

from workflow_prover.lexicon.loader import LexiconError, lexicon_dir, load_lexicons
from workflow_prover.lexicon.schema import WordLabel
from workflow_prover.lexicon.words import WordClasses, labels


def _copy(tmp_path: Path) -> Path:
    target = tmp_path / "lexicons"
    shutil.copytree(lexicon_dir(), target)
    return target


def _append(folder: Path, filename: str, row: dict[str, object]) -> None:
    path = folder / filename
    path.write_text(path.read_text(encoding="utf-8") + json.dumps(row) + "\n", encoding="utf-8")


def test_when_word_classes_are_built_then_every_label_is_a_field_with_words() -> None:
    words = WordClasses.from_lexicons(load_lexicons())
    assert set(labels()) == set(get_args(WordLabel))
    for label in labels():
        assert getattr(words, label.lower()), label


def test_when_a_row_adds_a_word_then_its_class_has_it(tmp_path: Path) -> None:
    folder = _copy(tmp_path)
    row = {"id": "provider_head.carrier_test", "label": "PROVIDER_HEAD", "words": ["courier"]}
    _append(folder, "words.jsonl", row)
    assert "courier" in WordClasses.from_lexicons(load_lexicons(folder)).provider_head
    assert "courier" not in WordClasses.from_lexicons(load_lexicons()).provider_head


def test_when_a_row_names_a_term_label_then_its_one_word_patterns_join_the_class(
    tmp_path: Path,
) -> None:
    folder = _copy(tmp_path)
    _append(
        folder,
        "words.jsonl",
        {"id": "data_noun.steps_test", "label": "DATA_NOUN", "terms": "STEP_REF"},
    )
    words = WordClasses.from_lexicons(load_lexicons(folder))
    assert {"step", "stages", "phase"} <= words.data_noun


@pytest.mark.parametrize(
    ("behaviour", "row", "message"),
    [
        (
            "an unknown label is refused",
            {"id": "nonsense.word", "label": "NONSENSE", "words": ["x"]},
            "words.jsonl",
        ),
        (
            "a capitalised word is refused (norms are lower case)",
            {"id": "ui_action.upper", "label": "UI_ACTION", "words": ["Click"]},
            "words.jsonl",
        ),
        (
            "a word with a space is refused (one token each)",
            {"id": "ui_action.two", "label": "UI_ACTION", "words": ["double click"]},
            "words.jsonl",
        ),
        (
            "a row with both words and terms is refused",
            {"id": "ui_action.both", "label": "UI_ACTION", "words": ["x"], "terms": "TRIGGER"},
            "not both",
        ),
        (
            "a row with neither words nor terms is refused",
            {"id": "ui_action.none", "label": "UI_ACTION"},
            "not both",
        ),
    ],
)
def test_when_a_word_row_is_bad_then_loading_fails(
    tmp_path: Path, behaviour: str, row: dict[str, object], message: str
) -> None:
    folder = _copy(tmp_path)
    _append(folder, "words.jsonl", row)
    with pytest.raises(LexiconError, match=re.escape(message)):
        load_lexicons(folder)


def test_when_a_label_has_no_row_then_building_the_classes_fails(tmp_path: Path) -> None:
    folder = _copy(tmp_path)
    path = folder / "words.jsonl"
    kept = [line for line in path.read_text().splitlines() if '"UI_ACTION"' not in line]
    path.write_text("\n".join(kept) + "\n")
    with pytest.raises(LexiconError, match="no row for UI_ACTION"):
        WordClasses.from_lexicons(load_lexicons(folder))


def test_when_a_term_row_is_marked_with_a_class_then_the_class_has_its_word(
    tmp_path: Path,
) -> None:
    folder = _copy(tmp_path)
    row = {"id": "quantifier.test", "label": "QUANTIFIER", "pattern": "whatever"}
    _append(folder, "terms.jsonl", {**row, "classes": ["ALONE_QUANTIFIER"]})
    words = WordClasses.from_lexicons(load_lexicons(folder))
    assert "whatever" in words.alone_quantifier
    assert {"everything", "anywhere"} <= words.alone_quantifier  # marked in terms.jsonl


@pytest.mark.parametrize(
    ("behaviour", "row"),
    [
        (
            "a phrase cannot join a word class (norms are compared one token at a time)",
            {"id": "quantifier.t1", "label": "QUANTIFIER", "pattern": "all of it"},
        ),
        (
            "a class that is no word label is refused",
            {"id": "quantifier.t2", "label": "QUANTIFIER", "pattern": "all", "classes": ["ALL"]},
        ),
    ],
)
def test_when_a_term_row_joins_a_class_badly_then_loading_fails(
    tmp_path: Path, behaviour: str, row: dict[str, object]
) -> None:
    folder = _copy(tmp_path)
    _append(folder, "terms.jsonl", {"classes": ["ALONE_QUANTIFIER"], **row})
    with pytest.raises(LexiconError, match=r"terms\.jsonl"):
        load_lexicons(folder)


@pytest.mark.parametrize(
    ("behaviour", "filename", "row"),
    [
        (
            "a context effect outside the list is refused",
            "context.jsonl",
            {
                "id": "neg.test",
                "label": "NEGATED",
                "pattern": "nah",
                "direction": "FORWARD",
                "effect": "sometimes",
            },
        ),
        (
            "a verb's starts_run must be a boolean",
            "verbs.jsonl",
            {"id": "verb.test", "label": "WRITE", "pattern": "kick", "starts_run": "maybe"},
        ),
        (
            "a category's alerts must be a boolean",
            "categories.jsonl",
            {"id": "cat.test", "name": "test", "role": "api", "rate_limited": True, "alerts": 3},
        ),
    ],
)
def test_when_a_behaviour_field_is_bad_then_loading_names_the_file(
    tmp_path: Path, behaviour: str, filename: str, row: dict[str, object]
) -> None:
    folder = _copy(tmp_path)
    _append(folder, filename, row)
    with pytest.raises(LexiconError, match=re.escape(filename)):
        load_lexicons(folder)


def test_when_rows_carry_behaviour_then_their_mentions_carry_it() -> None:
    """The fields that replaced row ids in Python reach the mentions the extractors read."""
    from workflow_prover.annotate.pipeline import build_pipeline
    from workflow_prover.annotate.types import Group

    ann = build_pipeline(load_lexicons()).annotate(
        "Stripe webhooks trigger the flow; we cap it at 10 requests per second. Is it? "
        "We never write without a key."
    )
    effects = {m.rule: m.effect for m in ann.of(Group.CONTEXT)}
    assert effects["q.question_mark"] == "question_mark"
    assert effects["term.semicolon"] == "question_bound"
    assert effects["neg.without"] == "exceptive"
    assert effects["neg.never"] == "verb"
    assert any(m.starts_run for m in ann.of(Group.VERB) if m.rule == "verb.trigger")
    assert any(m.states_rate for m in ann.of(Group.CUE))


@pytest.mark.parametrize(
    ("behaviour", "field", "catalog_set"),
    [
        ("a category alerts go to is read as an alert channel", "alerts", "alert_categories"),
        (
            "a category that keeps mechanism state hosts mechanisms",
            "hosts_mechanisms",
            "host_categories",
        ),
        ("a category with #channels owns a bare '#channel'", "hash_channels", "channel_categories"),
    ],
)
def test_when_a_category_row_has_a_behaviour_field_then_the_catalog_has_it(
    tmp_path: Path, behaviour: str, field: str, catalog_set: str
) -> None:
    from workflow_prover.extract.services.catalog import ServiceCatalog

    folder = _copy(tmp_path)
    row = {"id": "cat.pager_test", "name": "pager_test", "role": "api", "rate_limited": True}
    _append(folder, "categories.jsonl", {**row, field: True})
    assert "pager_test" in getattr(ServiceCatalog(load_lexicons(folder)), catalog_set)
    assert "pager_test" not in getattr(ServiceCatalog(load_lexicons()), catalog_set)
