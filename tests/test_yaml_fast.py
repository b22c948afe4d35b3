"""libyaml's parser (`locate.yaml_document`'s fast path) reads every YAML block of the
fixtures and the tests' data as PyYAML's own parser does: the same value, the same locations
of every element; a text it refuses is read by the Python parser, error and all."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from workflow_prover.schemas import locate
from workflow_prover.schemas.detect import find_blocks

_ROOT = Path(__file__).resolve().parent.parent


def _texts() -> list[str]:
    texts: list[str] = []
    for path in sorted((_ROOT / "fixtures").rglob("*.jsonl")):
        for line in path.read_text().splitlines():
            row = json.loads(line) if line.strip() else {}
            turns = row.get("turns") if isinstance(row, dict) else None
            if isinstance(row, dict) and isinstance(row.get("text"), str):
                texts.append(row["text"])
            if isinstance(turns, list):
                texts += [t for t in turns if isinstance(t, str)]
    return texts


def _blocks() -> list[str]:
    return [
        text[b.start : b.end]
        for text in _texts()
        for b in find_blocks(text, None)
        if b.syntax == "yaml"
    ]


def _python(text: str) -> tuple[object, dict[str, locate.Loc]]:
    return locate._document(locate._TagLoader(text), text, 7)


def test_when_libyaml_reads_a_fixture_block_then_it_reads_as_pyyaml() -> None:
    blocks = [b for b in _blocks() if locate._fast(b)]
    assert len(blocks) >= 20
    for block in blocks:
        try:
            expected = _python(block)
        except yaml.YAMLError:
            continue
        assert locate.yaml_document(block, 7) == expected


@pytest.mark.parametrize(
    "text",
    [
        "a: [1, 2\nb: 3\n",
        "a: 1\n---\nb: 2\n",
        "a:\n\t- 1\n",
        "key: value\n  bad: indent\n",
        "x: !Ref Thing\ny: !GetAtt [A, B]\nz: &a {k: 1}\nw: *a\n",
        "- 1\n- two\n- {three: 3}\n- [4, 5]\n- |\n  block\n  text\n",
    ],
)
def test_when_a_text_is_odd_then_both_parsers_agree(text: str) -> None:
    try:
        expected: object = _python(text)
    except yaml.YAMLError as exc:
        expected = (type(exc), str(exc))
    try:
        got: object = locate.yaml_document(text, 7)
    except yaml.YAMLError as exc:
        got = (type(exc), str(exc))
    assert got == expected
