"""The layout's fast paths (bracket depth and inline code filled in from the tokens that
change them; table rows looked for only when a line is one) equal the token-by-token
reading they replace, over every dev and gen2 text and over bracket- and backtick-heavy
strings."""

from __future__ import annotations

import random

import pytest

from conftest import fixture_texts
from workflow_prover.analyzer import Analyzer
from workflow_prover.annotate.types import Tok
from workflow_prover.extract.layout.clauses import _depths_and_code, _sentences


def _salad(count: int) -> list[str]:
    words = ["(", ")", "[", "]", "{", "}", "`", "`x`", "`a", "b`", "a[gt]=", "call", ".", "x."]
    words += ["we", "retry", "\n", "- ", "1.", "`(`", ")`", "Then", "it", "fails", ";", ","]
    rng = random.Random(6)
    return ["".join(rng.choice(words) + rng.choice(" \n") for _ in range(60)) for _ in range(count)]


def _slow_inline_code(toks: list[Tok], s: int, e: int) -> list[bool]:
    out = [False] * (e - s)
    code = False
    for i in range(s, e):
        text = toks[i].text
        out[i - s] = code
        if text == "`" or (text.startswith("`") != text.endswith("`")):
            code = not code
    return [False] * (e - s) if code else out


def _slow_depths(toks: list[Tok], sentences: list[tuple[int, int]]) -> list[int]:
    depth = [0] * len(toks)
    for s, e in sentences:
        level, code = 0, False
        for i in range(s, e):
            text = toks[i].text
            if text == "`" or (text.startswith("`") != text.endswith("`")):
                code = not code
            if not code and text in ")]}" and level > 0:
                level -= 1
            depth[i] = level
            if not code and text in "([{":
                level += 1
    return depth


@pytest.mark.parametrize("source", ["fixtures", "salad"])
def test_when_depth_and_code_come_from_marks_then_they_equal_the_token_by_token_reading(
    analyzer: Analyzer, source: str
) -> None:
    texts = fixture_texts("dev.jsonl", "gen2.jsonl") if source == "fixtures" else _salad(300)
    assert len(texts) > 100
    ticked = 0
    for text in texts:
        toks = analyzer.pipeline.annotate(text).toks
        sentences = _sentences(toks, [])
        code = [False] * len(toks)
        for s, e in sentences:
            code[s:e] = _slow_inline_code(toks, s, e)
        expected = (_slow_depths(toks, sentences), code)
        assert _depths_and_code(text, [t.text for t in toks], sentences) == expected, text
        ticked += any(code)
    assert ticked > 0  # some texts do hold inline code
