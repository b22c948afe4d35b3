"""Normalisation before reading: invisible and look-alike characters cannot hide a word.

Hardening faults 1 and 4: "n\u200bo DLQ" (a zero-width space) and "nо DLQ" (a Cyrillic о)
proved flawed designs, and "Step ² retries" crashed the analyzer.
"""

from __future__ import annotations

import pytest

from workflow_prover.analyzer import Analyzer
from workflow_prover.lexicon.loader import load_lexicons
from workflow_prover.normalize import Normalizer


@pytest.fixture(scope="module")
def normalizer() -> Normalizer:
    return Normalizer(load_lexicons().confusables)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("no DLQ", "no DLQ"),
        ("n\u200bo DLQ", "no DLQ"),  # zero-width space
        ("n\u200do\u2060 DLQ", "no DLQ"),  # zero-width joiner, word joiner
        ("no\u00ad DLQ", "no DLQ"),  # soft hyphen
        ("\ufeffno DLQ", "no DLQ"),  # byte-order mark
        ("n\u202eo DLQ", "no DLQ"),  # bidi override
        ("nо DLQ", "no DLQ"),  # Cyrillic о
        ("NО DLQ", "NO DLQ"),  # Cyrillic О
        ("nο DLQ", "no DLQ"),  # Greek omicron
        ("ｎｏ ＤＬＱ", "no DLQ"),  # fullwidth
        ("𝐧𝐨 DLQ", "no DLQ"),  # mathematical bold
        ("n\u0336o DLQ", "no DLQ"),  # a combining mark on an ASCII letter
        ("Step ² retries", "Step 2 retries"),  # superscript digit
        ("①) pull orders", "1) pull orders"),  # circled digit
        ("ﬁle upload", "file upload"),  # ligature
        ("a\u00a0b", "a b"),  # no-break space
        ("Stripe → CRM", "Stripe → CRM"),  # arrows are kept
        ("café", "café"),  # accented letters are kept
    ],
)
def test_invisible_and_look_alike_characters_normalise_to_the_plain_word(
    normalizer: Normalizer, text: str, expected: str
) -> None:
    assert normalizer.normalize(text).text == expected


@pytest.mark.parametrize(
    "text",
    ["n\u200bo DLQ here", "ﬁle ｎｏ\u200b DLQ", "x\u200b\u200by", "①②③ steps", "plain ascii"],
)
def test_every_span_of_the_normalised_text_maps_back_inside_the_source(
    normalizer: Normalizer, text: str
) -> None:
    normal = normalizer.normalize(text)
    for start in range(len(normal.text) + 1):
        for end in range(start, len(normal.text) + 1):
            lo, hi = normal.span(start, end)
            assert 0 <= lo <= hi <= len(text)
    previous = 0
    for offset in range(len(normal.text) + 1):
        mapped = normal.to_source(offset)
        assert mapped >= previous  # monotonic
        previous = mapped


def test_a_word_maps_to_its_own_characters_without_the_invisible_ones_around_it(
    normalizer: Normalizer,
) -> None:
    text = "we have \u200bno\u200b DLQ"
    normal = normalizer.normalize(text)
    start = normal.text.index("no")
    lo, hi = normal.span(start, start + 2)
    assert text[lo:hi] == "no"


def test_ascii_text_is_returned_without_edits(normalizer: Normalizer) -> None:
    normal = normalizer.normalize("Errors go to a DLQ.")
    assert normal.edits == () and normal.to_source(5) == 5


FLAWED = (
    "Stripe webhooks trigger the flow, we insert into the CRM with an Idempotency-Key from the "
    "event id. Exponential backoff on the CRM. {no} DLQ. OAuth token in Vault, rotated."
)


@pytest.mark.parametrize(
    "no",
    ["No", "n\u200bo", "nо", "ｎｏ", "N\u200dO", "n\u00ado"],
    ids=["plain", "zero-width", "cyrillic", "fullwidth", "zwj", "soft-hyphen"],
)
def test_a_hidden_negation_still_negates_the_mechanism(analyzer: Analyzer, no: str) -> None:
    text = FLAWED.format(no=no)
    report = analyzer.analyze(text)
    assert report.verdict.value == "MISSING_DLQ"
    dlq = [c for c in report.claims if c.kind == "terminal_path"]
    assert dlq and all(c.modality == "negated" for c in dlq)
    for claim in report.claims:
        for evidence in claim.evidence:
            assert text[evidence.start : evidence.end] == evidence.text
            if evidence.cue is not None:
                assert text[evidence.cue.start : evidence.cue.end] == evidence.cue.text


@pytest.mark.parametrize(
    "text",
    ["Step ² retries the Stripe call.", "²) create the invoice in Xero", "step ¹²³⁴⁵ and step ⁶"],
)
def test_non_decimal_digits_never_crash_the_analyzer(analyzer: Analyzer, text: str) -> None:
    analyzer.analyze(text)  # no ValueError


def test_a_huge_step_range_does_not_expand(analyzer: Analyzer) -> None:
    text = "1. pull orders from Shopify\n2. write them to NetSuite\nSteps 1-99999999 use backoff."
    report = analyzer.analyze(text)
    assert len(report.steps) == 2


SECRET = "sk_live_51H8xYzAbCdEfGhIjKlMnOpQr"
FULLWIDTH = "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in SECRET)


@pytest.mark.parametrize(
    "written",
    [SECRET[:12] + "\u200b" + SECRET[12:], FULLWIDTH, SECRET[:9] + "\u2060" + SECRET[9:]],
    ids=["zero-width", "fullwidth", "word-joiner"],
)
def test_a_secret_broken_by_invisible_or_fullwidth_characters_is_still_redacted(
    analyzer: Analyzer, written: str
) -> None:
    text = f"We insert payments into the CRM. The Stripe key is {written} for now."
    report = analyzer.analyze(text)
    assert report.verdict.value == "INSECURE_CREDENTIALS"
    dumped = report.model_dump_json()
    assert written not in dumped and SECRET not in dumped
    assert "[REDACTED:" in analyzer.redact(text) and written not in analyzer.redact(text)
