"""Word sets derived from the lexicons: what the typo corrector knows and must not touch."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from workflow_prover.lexicon.loader import Lexicons


def _words(phrase: str) -> list[str]:
    return [w for w in phrase.lower().replace("-", " ").replace("_", " ").split() if w.isalpha()]


def _pattern_words(pattern: str | list[dict[str, Any]]) -> Iterable[str]:
    if isinstance(pattern, str):
        yield from _words(pattern)
        return
    for token in pattern:
        for key in ("NORM", "LOWER"):
            value = token.get(key)
            if isinstance(value, str):
                yield from _words(value)
            elif isinstance(value, dict):
                for item in value.get("IN", []):
                    yield from _words(str(item))


def verb_forms(lex: Lexicons) -> set[str]:
    from workflow_prover.annotate.pipeline import verb_forms_of

    words: set[str] = set()
    for verb in lex.verbs:
        for form in verb_forms_of(verb.pattern, verb.forms):
            words.update(_words(form))
    return words


def fuzzy_vocabulary(lex: Lexicons) -> set[str]:
    """Words a misspelling may be corrected to: service names, verbs, cue and term words."""
    words = verb_forms(lex)
    for svc in lex.services:
        for alias in (svc.name, *svc.aliases):
            words.update(_words(alias))
    for cue in lex.cues:
        words.update(_pattern_words(cue.pattern))
    for ctx in lex.context:
        if ctx.label != "TERMINATOR":
            words.update(_pattern_words(ctx.pattern))
    for term in lex.terms:
        if term.label not in ("COMMON", "PRONOUN", "SOURCE", "CHANNEL", "CASED"):
            words.update(_words(term.pattern))
    return words - protected_words(lex)


def service_words(lex: Lexicons) -> set[str]:
    """Every word of a service's name or alias ("vault" of "HashiCorp Vault"): what a
    capitalised misspelling mid-sentence may be corrected to."""
    return {w for svc in lex.services for alias in (svc.name, *svc.aliases) for w in _words(alias)}


def name_only_words(lex: Lexicons) -> set[str]:
    """Words that only service names have ("faire", "mezmo"): a short word one letter from
    one of them is more often an English word ("fair", "memo") than a misspelt product."""
    others = verb_forms(lex)
    for cue in lex.cues:
        others.update(_pattern_words(cue.pattern))
    for ctx in lex.context:
        others.update(_pattern_words(ctx.pattern))
    for term in lex.terms:
        others.update(_words(term.pattern))
    return service_words(lex) - others


def english_words() -> frozenset[str]:
    """Words of everyday English (wordfreq's small English list, about 28,000 words).

    A word of the language is never a typo of another word: "placed" is no "paced" and "stale"
    no "stable", however close the spelling. The corrector fixes non-words only
    ("exponentail", "Salesfroce", "dead leter queue"); a real word typed for another
    ("retires" for "retries") stays as written, as a spell checker's non-word pass does.
    Loaded when a pipeline is built, never at import.
    """
    from wordfreq import top_n_list

    return frozenset(w for w in top_n_list("en", 100_000, wordlist="small") if w.isalpha())


def protected_words(lex: Lexicons) -> set[str]:
    """Ordinary English words that are never "corrected" (`past` must not become `post`):
    the lexicons' COMMON rows, which add product-like words the English list may lack."""
    protected = {
        t.pattern.lower()
        for t in lex.terms
        if t.label in ("COMMON", "PRONOUN", "SOURCE", "CHANNEL", "CASED")
    }
    for ctx in lex.context:
        if ctx.label == "TERMINATOR":
            protected.update(_pattern_words(ctx.pattern))
    return protected


def ambiguous_aliases(lex: Lexicons) -> set[str]:
    """Service aliases that are also English words: matched only as written ("Box", not "box")."""
    return {t.pattern.lower() for t in lex.terms if t.label == "CASED"}
