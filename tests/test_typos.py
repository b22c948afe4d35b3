"""Typo correction: a misspelt lexicon word is read as meant; an ordinary word is left alone."""

from __future__ import annotations

import pytest

from workflow_prover.analyzer import Analyzer


def norms(analyzer: Analyzer, text: str) -> dict[str, str]:
    return {t.text: t.norm for t in analyzer.turn(text).view.toks}


@pytest.mark.parametrize(
    ("word", "meant"),
    [
        ("Salesfroce", "salesforce"),  # swapped letters
        ("shopfiy", "shopify"),
        ("throtling", "throttling"),  # a dropped letter
        ("idempotencey", "idempotency"),  # an added letter
        ("Stirpe", "stripe"),
        ("Valt", "vault"),  # a short word, one letter from a word that is more than a name
    ],
)
def test_when_a_lexicon_word_is_misspelt_then_it_is_read_as_meant(
    analyzer: Analyzer, word: str, meant: str
) -> None:
    assert norms(analyzer, f"We use {word} here.")[word] == meant


@pytest.mark.parametrize(
    "word",
    # "fair" and "memo" sit one letter from names only (Faire, Mezmo): a short word stays
    # and any word of everyday English is no typo of a cue word, however close: "placed" is
    # no "paced", "stale" no "stable", "retires" stays "retires"
    [
        *("banking", "past", "readings", "tickets", "consumer", "bookings", "fair", "memo"),
        *("placed", "stale", "retires", "paged"),
        # another inflection of a known word is that word, not a typo of the known form
        *("authenticates", "provisioning"),
    ],
)
def test_when_a_word_is_ordinary_english_then_it_is_not_corrected(
    analyzer: Analyzer, word: str
) -> None:
    assert norms(analyzer, f"It is about {word} today.")[word] == word


def test_when_core_banking_is_mentioned_then_no_backoff_is_read(analyzer: Analyzer) -> None:
    report = analyzer.analyze("Standing orders (core banking): we pull orders from Stripe.")
    assert not [c for c in report.claims if c.kind == "backoff_exponential"]


@pytest.mark.parametrize(
    ("text", "word", "norm"),
    [
        # capitalised mid-sentence, a word is a name: only a product's word corrects it
        ("We create the shipment in Dispatchr.", "Dispatchr", "dispatchr"),
        ("We sync the deals to Salesfroce.", "Salesfroce", "salesforce"),
        # and the same name at a sentence's start, once the text wrote it mid-sentence
        ("We book it in Dispatchr. Dispatchr calls back off.", "Dispatchr", "dispatchr"),
        # written in lower case it is a word, and may be a misspelt one
        ("the dispatchr runs nightly.", "dispatchr", "dispatcher"),
    ],
)
def test_when_a_capitalised_word_is_a_name_then_only_a_product_word_corrects_it(
    analyzer: Analyzer, text: str, word: str, norm: str
) -> None:
    toks = analyzer.turn(text).view.toks
    assert {t.norm for t in toks if t.text == word} == {norm}


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("When an order is placed we charge the card via Stripe.", "throttle_rate"),
        ("We charge the card via Stripe; support says the list shows stale rows.", "idempotency"),
    ],
)
def test_when_an_english_word_sits_one_letter_from_a_cue_then_no_mechanism_is_read(
    analyzer: Analyzer, text: str, kind: str
) -> None:
    assert not [c for c in analyzer.analyze(text).claims if c.kind == kind]
