"""The tokenizer's affix regexes behind pre-tests (annotate/guards.py) split every word as the
regexes alone do: the pre-tests only skip regexes that could not have matched."""

from __future__ import annotations

import random
import re
from collections.abc import Callable
from typing import Any

import pytest
import spacy
from spacy.util import compile_infix_regex, compile_prefix_regex, compile_suffix_regex

from conftest import fixture_texts
from workflow_prover.annotate.guards import guarded_infix, guarded_prefix, guarded_suffix
from workflow_prover.annotate.tokenizer import affix_rules, customise_tokenizer

_NLP = spacy.blank("en")
_PREFIXES, _SUFFIXES, _INFIXES = affix_rules(_NLP)
_PLAIN = {
    "prefix": compile_prefix_regex(_PREFIXES).search,
    "suffix": compile_suffix_regex(_SUFFIXES).search,
    "infix": compile_infix_regex(_INFIXES).finditer,
}
_GUARDED: dict[str, Callable[[str], Any]] = {
    "prefix": guarded_prefix(_PLAIN["prefix"]),
    "suffix": guarded_suffix(_SUFFIXES, compile_suffix_regex),
    "infix": guarded_infix(_INFIXES, compile_infix_regex),
}

# words each rule family splits or must not split: units after digits, possessives, dots
# between words, camelCase, arrows, currency, a final newline (`$` matches before it)
_WORDS = [
    *("", "orders", "Salesforce", "NetSuite", "Won.", "externalId,", "`externalId`", "9km"),
    *("km", "it's", "Stripe’s", "a..b", "..a", "—x", "US$5", "5US$", "x\n", "°F.", "a-b"),
    *("createInvoice", "[REDACTED:x]", "(fn)", "→CRM", "CRM→", "...", "5+", "e.g.", "Ü.", "²"),
    *("retry_exponential_backoff=True", "mender.create_deployment", "postgres://db", "«x»"),
]


def _spans(result: Any) -> Any:
    """A match's span; an infix search's spans after the first character (spaCy's tokenizer
    ignores an infix at position 0, so the guard need not find those)."""
    if result is None:
        return None
    if isinstance(result, re.Match):
        return (result.start(), result.end())
    return [(m.start(), m.end()) for m in result if m.start() > 0]


def _random_words(count: int) -> list[str]:
    """Short words over the characters the rules care about, plus letters and digits."""
    alphabet = "aZkms'’.,:;-—–_()[]{}$%+*^/=<>`\"°²…→•0123456789 \n" + "ÜßЖ€©"
    rng = random.Random(1234)
    return ["".join(rng.choice(alphabet) for _ in range(rng.randint(1, 8))) for _ in range(count)]


@pytest.mark.parametrize("kind", sorted(_PLAIN))
@pytest.mark.parametrize("word", _WORDS + _random_words(1500))
def test_a_guarded_affix_regex_finds_what_the_regex_finds(kind: str, word: str) -> None:
    assert _spans(_GUARDED[kind](word)) == _spans(_PLAIN[kind](word))


class _Counted:
    """A regex method that records the words it is given; `__self__` is its pattern, as for
    a bound method of a compiled regex (the guards read the pattern from it)."""

    def __init__(self, method: Callable[[str], Any], calls: list[str]) -> None:
        self.method, self.calls = method, calls
        self.__self__ = method.__self__  # type: ignore[attr-defined]

    def __call__(self, text: str) -> Any:
        self.calls.append(text)
        return self.method(text)


class _CountedRegex:
    """What `compile_suffix_regex` / `compile_infix_regex` return, with counted methods."""

    def __init__(self, pattern: re.Pattern[str], calls: list[str]) -> None:
        self.flags = pattern.flags
        self.search = _Counted(pattern.search, calls)
        self.finditer = _Counted(pattern.finditer, calls)


def _counted_guard(kind: str, calls: list[str]) -> Callable[[str], Any]:
    if kind == "suffix":
        return guarded_suffix(
            _SUFFIXES, lambda rules: _CountedRegex(compile_suffix_regex(rules), calls)
        )
    if kind == "infix":
        return guarded_infix(
            _INFIXES, lambda rules: _CountedRegex(compile_infix_regex(rules), calls)
        )
    return guarded_prefix(_Counted(_PLAIN[kind], calls))


@pytest.mark.parametrize(
    ("kind", "word", "searched"),
    [
        ("prefix", "Salesforce", False),
        ("prefix", "(Salesforce", True),
        ("suffix", "Salesforce", False),
        ("suffix", "orders", True),  # 's: a suffix can end in "s"
        ("suffix", "Won.", True),
        ("infix", "Salesforce", False),
        ("infix", "NetSuite", True),  # camelCase: an infix can start at an upper-case letter
        ("infix", "(salesforce", False),  # an infix at position 0 is ignored by spaCy
    ],
)
def test_the_regex_runs_only_on_words_it_could_match(kind: str, word: str, searched: bool) -> None:
    calls: list[str] = []
    _counted_guard(kind, calls)(word)
    assert (word in calls) is searched


def test_the_fixture_texts_are_tokenized_as_without_the_guards() -> None:
    guarded = spacy.blank("en")
    customise_tokenizer(guarded)
    plain = spacy.blank("en")
    customise_tokenizer(plain)
    tokenizer: Any = plain.tokenizer
    tokenizer.prefix_search = _PLAIN["prefix"]
    tokenizer.suffix_search = _PLAIN["suffix"]
    tokenizer.infix_finditer = _PLAIN["infix"]
    texts = fixture_texts("dev.jsonl", "gen2.jsonl")
    assert len(texts) > 50
    for text in texts:
        assert [t.text for t in guarded.make_doc(text)] == [t.text for t in plain.make_doc(text)]


@pytest.mark.parametrize(
    ("kind", "rules", "word"),
    [
        # a zero-width rule with no lookahead may match between any two characters
        ("infix", ["-", r"(?<=a)"], "ab"),
        # "a|b" + "$" is "a|b$": its "a" is not anchored at the end
        ("suffix", ["x", "a|b"], "ab"),
        ("suffix", ["x", "(?:y)?"], "ab"),  # an optional end: any last character
        # a global flag at the start of the first rule applies to every rule once joined
        ("suffix", ["(?i)x", "a"], "bA"),
        ("infix", ["(?i)x", "-a"], "b-A"),
    ],
)
def test_a_rule_whose_ends_cannot_be_read_alone_is_always_tried(
    kind: str, rules: list[str], word: str
) -> None:
    if kind == "infix":
        plain = compile_infix_regex(rules).finditer
        guarded = guarded_infix(rules, compile_infix_regex)
    else:
        plain = compile_suffix_regex(rules).search
        guarded = guarded_suffix(rules, compile_suffix_regex)
    assert _spans(plain(word)) not in (None, [])  # the case is one where the regex matches
    assert _spans(guarded(word)) == _spans(plain(word))


def test_a_tokenizer_saved_and_loaded_by_spacy_splits_the_fixture_texts_the_same() -> None:
    """spaCy serialises a tokenizer's regexes as `fn.__self__.pattern`: the guarded functions
    carry the plain regex there, and the loaded tokenizer (plain regexes) agrees."""
    saved = spacy.blank("en")
    customise_tokenizer(saved)
    loaded = spacy.blank("en")
    loaded.tokenizer.from_bytes(saved.tokenizer.to_bytes())
    for text in fixture_texts("dev.jsonl", "gen2.jsonl"):
        assert [t.text for t in loaded.make_doc(text)] == [t.text for t in saved.make_doc(text)]
