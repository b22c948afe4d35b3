"""Phrasal verbs split by their object: "look the sender up", "send them out".

The lexicon lists a phrasal verb as one phrase ("look up"), which the phrase matcher finds
only where the particle follows the verb. English puts a short object between them as often:
"look the sender up in our customers db", "pick the files up from SFTP", "top the wallet up".
Here the verb word of such a row, followed by a short noun phrase (a pronoun, or a determiner
and at most two words, no preposition, conjunction or auxiliary among them) and then the
row's particle, is a mention of the row on the verb word alone, so the words between stay
the verb's object. "Pay it out of the reserve" is no "pay out": a particle before "of" is a
preposition.
"""

from __future__ import annotations

from collections.abc import Iterable

from workflow_prover.annotate.types import Tok
from workflow_prover.extract.layout.grammar import (
    AUXILIARIES,
    COORDINATORS,
    DETERMINERS,
    OBJECT_PRONOUNS,
    PREPOSITIONS,
)

_NOT_IN_OBJECT = PREPOSITIONS | COORDINATORS | AUXILIARIES | frozenset(("then", "but", "not"))
_MAX_WORDS = 2  # nouns after the determiner: "the sender", "the failed rows"


class SplitPhrasals:
    """The split forms of the lexicon's two-word phrasal verbs, by their verb word."""

    def __init__(self, rows: Iterable[tuple[str, list[str]]], particles: frozenset[str]) -> None:
        """`rows`: (key, forms) of each verb row; a form "looked up" ends in a particle."""
        self._by_verb: dict[str, list[tuple[str, str]]] = {}
        for key, forms in rows:
            for form in forms:
                verb, _, particle = form.partition(" ")
                if particle in particles:
                    self._by_verb.setdefault(verb, []).append((particle, key))
        # " up", " out": a text with none of the particles has no split use (a quick test)
        self._particles = tuple(
            dict.fromkeys(f" {p}" for rows_ in self._by_verb.values() for p, _ in rows_)
        )

    def __call__(
        self, toks: list[Tok], verbs_at: set[int], text: str
    ) -> list[tuple[str, int, int]]:
        """(key, start, start + 1) for every split use whose verb word is no verb already."""
        low = text.lower()
        if not any(p in low for p in self._particles):
            return []
        out: list[tuple[str, int, int]] = []
        by_verb = self._by_verb
        for i in [i for i, tok in enumerate(toks) if tok.norm in by_verb]:
            if i in verbs_at:
                continue
            key = _split_use(toks, i, by_verb[toks[i].norm])
            if key is not None:
                out.append((key, i, i + 1))
        return out


def _split_use(toks: list[Tok], i: int, rows: list[tuple[str, str]]) -> str | None:
    """The row whose particle closes a short object after the verb word at `i`."""
    n, line, k = len(toks), toks[i].line, i + 1
    if k >= n:
        return None
    if toks[k].norm in OBJECT_PRONOUNS:  # "send it out"
        ends = [k + 1]
    else:
        if toks[k].norm in _DETERMINERS:  # "look the sender up"
            k += 1
        ends, j = [], k
        while j < n and j - k < _MAX_WORDS and _object_word(toks[j], line):
            j += 1
            ends.append(j)
    for j in ends:
        if j < n and toks[j].line == line:
            after = toks[j + 1].norm if j + 1 < n else ""
            for particle, key in rows:
                if toks[j].norm == particle and after != "of":
                    return key
    return None


def _object_word(tok: Tok, line: int) -> bool:
    return tok.line == line and tok.text.isalpha() and tok.norm not in _NOT_IN_OBJECT


_DETERMINERS = DETERMINERS | frozenset(("our", "their", "its", "his", "her", "my", "each"))
