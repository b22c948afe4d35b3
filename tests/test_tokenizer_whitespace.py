"""Whitespace chunks ("\\n", " ", "\\t") are no special cases of the tokenizer, and every text
splits as it did when they were: they were their own tokens either way, but as special cases
they kept spaCy from caching any word after a text's first line break (spaCy issue #1250)."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest
import spacy
from spacy.language import Language

from workflow_prover.annotate.tokenizer import customise_tokenizer

_ROOT = Path(__file__).resolve().parent.parent
_WHITESPACE = ("\n", " ", "\t")


def _tokenizers() -> tuple[Language, Language]:
    ours = spacy.blank("en")
    customise_tokenizer(ours)
    with_specials = spacy.blank("en")
    customise_tokenizer(with_specials)
    for chunk in _WHITESPACE:
        with_specials.tokenizer.add_special_case(chunk, [{"ORTH": chunk}])
    return ours, with_specials


def _split(nlp: Language, text: str) -> list[tuple[str, int, str, str]]:
    return [(t.text, t.idx, t.whitespace_, t.norm_) for t in nlp.make_doc(text)]


def _texts() -> list[str]:
    texts = []
    for path in sorted((_ROOT / "fixtures").rglob("*.jsonl")):
        for line in path.read_text().splitlines():
            row = json.loads(line) if line.strip() else {}
            if isinstance(row.get("text"), str):
                texts.append(row["text"])
    rng = random.Random(5)
    pieces = ["\n", " ", "\t", "  ", "\n\n", " \n", "\xa0", "a", "(x)", "can't", "→", "—", "5s"]
    texts += ["".join(rng.choice(pieces) for _ in range(rng.randint(1, 30))) for _ in range(500)]
    return texts


def test_when_whitespace_is_no_special_case_then_every_text_splits_as_before() -> None:
    ours, with_specials = _tokenizers()
    assert not any(chunk in ours.tokenizer.rules for chunk in _WHITESPACE)
    texts = _texts()
    assert len(texts) > 1000
    for text in texts:
        # twice: the second split of a text reads its words from spaCy's cache
        assert _split(ours, text) == _split(with_specials, text), repr(text)
        assert _split(ours, text) == _split(with_specials, text), repr(text)


@pytest.mark.parametrize("chunk", ["\xa0"])
def test_when_a_whitespace_special_case_sets_more_than_its_text_then_it_is_kept(
    chunk: str,
) -> None:
    ours, _ = _tokenizers()
    assert chunk in ours.tokenizer.rules  # a no-break space reads as two spaces (its NORM)
