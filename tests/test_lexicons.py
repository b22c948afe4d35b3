"""Every lexicon row validates, ids are unique, and a bad row names its file and line."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from workflow_prover.lexicon.loader import FILES, LexiconError, lexicon_dir, load_lexicons


def test_when_lexicons_load_then_every_file_has_rows() -> None:
    lex = load_lexicons()
    assert len(lex.services) >= 150
    assert {s.category for s in lex.services} <= {c.name for c in lex.categories}
    for rows in (lex.verbs, lex.cues, lex.context, lex.terms, lex.secrets):
        assert rows


def test_when_services_are_listed_then_every_category_of_the_issue_is_covered() -> None:
    lex = load_lexicons()
    categories = {s.category for s in lex.services}
    for needed in (
        "payments",
        "crm",
        "email",
        "sms",
        "chat",
        "erp",
        "ecommerce",
        "warehouse",
        "database",
        "queue",
        "stream",
        "storage",
        "identity",
        "ai",
        "workflow_engine",
        "secrets",
    ):
        assert needed in categories, needed


def test_when_aliases_are_compared_then_no_alias_names_two_services() -> None:
    seen: dict[str, str] = {}
    for svc in load_lexicons().services:
        for alias in {a.lower() for a in (svc.name, *svc.aliases)}:
            assert seen.setdefault(alias, svc.id) == svc.id, alias


def _copy(tmp_path: Path) -> Path:
    target = tmp_path / "lexicons"
    shutil.copytree(lexicon_dir(), target)
    return target


@pytest.mark.parametrize("filename", sorted(FILES))
def test_when_a_row_has_an_unknown_field_then_loading_names_file_and_line(
    tmp_path: Path, filename: str
) -> None:
    folder = _copy(tmp_path)
    path = folder / filename
    lines = path.read_text(encoding="utf-8").splitlines()
    first = json.loads(next(line for line in lines if line.strip() and not line.startswith("//")))
    first["surprise"] = True
    path.write_text(json.dumps(first) + "\n" + path.read_text(encoding="utf-8"), encoding="utf-8")
    with pytest.raises(LexiconError, match=rf"{filename}:1"):
        load_lexicons(folder)


def test_when_a_row_id_repeats_then_loading_fails(tmp_path: Path) -> None:
    folder = _copy(tmp_path)
    path = folder / "cues.jsonl"
    lines = path.read_text(encoding="utf-8").splitlines()
    path.write_text("\n".join([*lines, lines[0]]) + "\n", encoding="utf-8")
    with pytest.raises(LexiconError, match="duplicate id"):
        load_lexicons(folder)


@pytest.mark.parametrize("filename", ["context.jsonl", "cues.jsonl", "terms.jsonl"])
def test_when_a_rule_repeats_under_another_id_then_loading_fails(
    tmp_path: Path, filename: str
) -> None:
    folder = _copy(tmp_path)
    path = folder / filename
    lines = path.read_text(encoding="utf-8").splitlines()
    row = json.loads(next(line for line in lines if line.strip() and not line.startswith("//")))
    row["id"] = row["id"] + "_again"
    path.write_text("\n".join([*lines, json.dumps(row)]) + "\n", encoding="utf-8")
    with pytest.raises(LexiconError, match="same label and pattern"):
        load_lexicons(folder)


def test_when_a_service_has_an_unknown_category_then_loading_fails(tmp_path: Path) -> None:
    folder = _copy(tmp_path)
    path = folder / "services.jsonl"
    row = {"id": "svc.test_only", "name": "TestOnly", "category": "no_such_category"}
    path.write_text(path.read_text(encoding="utf-8") + json.dumps(row) + "\n", encoding="utf-8")
    with pytest.raises(LexiconError, match="unknown category"):
        load_lexicons(folder)


def test_when_a_token_pattern_uses_an_unknown_attribute_then_loading_fails(tmp_path: Path) -> None:
    folder = _copy(tmp_path)
    path = folder / "cues.jsonl"
    row = {"id": "test.bad_attr", "label": "retry", "pattern": [{"POS": "VERB"}]}
    path.write_text(path.read_text(encoding="utf-8") + json.dumps(row) + "\n", encoding="utf-8")
    with pytest.raises(LexiconError, match="unknown token attribute"):
        load_lexicons(folder)
