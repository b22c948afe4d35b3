"""The token-pattern matcher's pre-tests (the norm index, the windows of required norms, the
text flag spaCy keeps per word) only skip starts where a pattern could not have matched: over
every dev and gen2 text, and over texts of words the heads care about, the matches are those
of every pattern tried at every token."""

from __future__ import annotations

import random

import pytest

from conftest import fixture_texts
from workflow_prover.analyzer import Analyzer
from workflow_prover.annotate.pipeline import _tokens
from workflow_prover.annotate.tokenmatch import TokenMatcher, _longest
from workflow_prover.annotate.types import Tok


def _everywhere(matcher: TokenMatcher, toks: list[Tok]) -> list[tuple[str, int, int]]:
    """Every pattern at every start, no pre-test: what the matcher must find."""
    norms = [t.norm for t in toks]
    hits = []
    for index, pattern in enumerate(matcher._patterns):
        for start in range(len(toks)):
            end = _longest(pattern.specs, 0, toks, norms, start)
            if end is not None and end > start:
                hits.append((start, index, end))
    hits.sort()
    return [(matcher._patterns[index].key, start, end) for start, index, end in hits]


def _word_salad(count: int) -> list[str]:
    """Texts of numbers, versions, queue names, dashes and the norms the patterns need next."""
    words = [
        *("3", "10", "2.5", "-1", "+4", "1,000", "50%", "ten", "five", "v1", "V2", "2^attempt"),
        *("orders.dlq", "Payments-DLX", "x_deadletter", "—", "–", ",", "(", ")", "[", "PUT"),
        *("PATCH", "Catch", "Prefer", "This", "the", "attempts", "retries", "per", "/", "second"),
        *("requests", "a", "minute", "times", "pushed", "removes", "PR", "failure", "destination"),
        *("old", "still", "it", "we", "id", "sent", "only", "once", ".", "s", "max", "of"),
    ]
    rng = random.Random(22)
    return [" ".join(rng.choice(words) for _ in range(rng.randint(3, 40))) for _ in range(count)]


@pytest.mark.parametrize("source", ["fixtures", "salad"])
def test_when_pre_tests_skip_a_start_then_no_pattern_could_have_matched_there(
    analyzer: Analyzer, source: str
) -> None:
    pipeline = analyzer.pipeline
    matcher = pipeline._tokens
    texts = fixture_texts("dev.jsonl", "gen2.jsonl") if source == "fixtures" else _word_salad(400)
    assert len(texts) > 100
    found = 0
    for text in texts:
        doc = pipeline.nlp.make_doc(text)
        arr = doc.to_array(pipeline._attrs).tolist()
        toks, _, marked = _tokens(doc, arr, text, pipeline._corrector)
        expected = _everywhere(matcher, toks)
        assert matcher(toks, marked) == expected, text  # the flag as spaCy keeps it per word
        assert matcher(toks) == expected, text  # the same test run by the matcher itself
        found += len(expected)
    assert found > len(texts)  # the texts do hold matches


def test_when_a_pattern_comes_after_the_text_test_then_it_is_refused() -> None:
    # the words spaCy flagged before it would not be marked for its head
    matcher = TokenMatcher()
    matcher.add("catch", [{"ORTH": "Catch"}])
    marks = matcher.text_test()
    assert marks("Catch") and not marks("catch")
    with pytest.raises(RuntimeError):
        matcher.add("dash", [{"ORTH": "—"}])
