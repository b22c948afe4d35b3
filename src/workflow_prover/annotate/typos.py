"""Typo correction against the lexicons' own vocabulary ("Salesfroce", "exponentail").

Only words that are not known (not in any lexicon, not a protected common word) are looked
up, and only single-edit typos are accepted: an inserted, dropped or swapped letter for short
words, any single edit from eight letters on (so "banking" does not become "backing"), and a
word of four letters or fewer never to a word only a product's name has ("fair" is no "Faire",
"memo" no "Mezmo": short English words sit one letter from many names). The
first letter must match: people rarely mistype it, and requiring it keeps "past" from becoming
"post". Results are cached per instance, so a word is only ever looked up once per process.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable

from rapidfuzz import process
from rapidfuzz.distance import OSA

_MAX_CACHE = 50_000


class FuzzyCorrector:
    def __init__(
        self,
        vocabulary: Iterable[str],
        protected: Iterable[str],
        verbs: Iterable[str] = (),
        names: Iterable[str] = (),
        product_words: Iterable[str] = (),
    ) -> None:
        words = {w for w in vocabulary if w.isalpha()}
        vocab = {w for w in words if len(w) >= 4}
        verb_words = frozenset(verbs)
        # every lexicon word is known, short ones too: "Bus" of "Azure Service Bus" is no
        # typo of the verb form "buys"
        self._known = frozenset(words) | frozenset(protected) | verb_words
        self._by_letter: dict[str, list[str]] = {}
        for word in sorted(vocab):
            self._by_letter.setdefault(word[0], []).append(word)
        # Three-letter typos are only corrected to these (verbs: "pul" -> "pull").
        self._short_targets = sorted(w for w in verb_words if len(w) == 4 and w.isalpha())
        self._names = frozenset(names)  # words only service names have
        self._products = frozenset(product_words)  # every word of a service's names
        self._cache: dict[str, str | None] = {}
        self._lock = threading.Lock()

    @property
    def known(self) -> frozenset[str]:
        """The words never corrected (`correct` returns None for them without a look-up)."""
        return self._known

    def correct(self, word: str, name_like: bool = False) -> str | None:
        """The intended lexicon word for a misspelt `word` (lower-case), or None.

        `name_like`: the word was written capitalised mid-sentence ("in Dispatchr"), so it
        is a name: only a word of a product's name corrects it ("Salesfroce", "Hashicorp
        Valt"), not another word ("Dispatchr" is no "dispatcher").
        """
        if word in self._known or not word.isalpha() or len(word) < 3:
            return None
        cached = self._cache.get(word, "")
        if cached == "":
            cached = self._lookup(word)
            with self._lock:
                if len(self._cache) > _MAX_CACHE:
                    self._cache.clear()
                self._cache[word] = cached
        if name_like and cached is not None and cached not in self._products:
            return None
        return cached

    def _lookup(self, word: str) -> str | None:
        if len(word) == 3:
            choices = [w for w in self._short_targets if w[0] == word[0]]
        else:
            choices = [w for w in self._by_letter.get(word[0], ()) if abs(len(w) - len(word)) <= 1]
        if not choices:
            return None
        hits = process.extract(word, choices, scorer=OSA.distance, score_cutoff=1, limit=8)
        accepted = sorted(
            (self._rank(word, cand), cand)
            for cand, dist, _ in hits
            if dist == 1
            and self._acceptable(word, cand)
            and not (len(word) <= 4 and cand in self._names)  # "fair" is no "Faire"
        )
        if not accepted:
            return None
        if len(accepted) > 1 and accepted[0][0] == accepted[1][0]:
            return None  # two equally good readings: leave the word alone
        return accepted[0][1]

    @staticmethod
    def _acceptable(word: str, cand: str) -> bool:
        if word[:-1] == cand or _stem(word) == _stem(cand):
            # "readings", "consumer", "tickets"; "authenticates" is no "authenticated":
            # another inflection of a known word, not a typo
            return False
        if len(word) != len(cand) or len(word) >= 8:
            return True  # an insertion or deletion, or any single edit in a long word
        return _is_transposition(word, cand)

    @staticmethod
    def _rank(word: str, cand: str) -> tuple[int, int]:
        prefix = 0
        for a, b in zip(word, cand, strict=False):
            if a != b:
                break
            prefix += 1
        return (0 if len(word) != len(cand) else 1, -prefix)


_INFLECTIONS = ("ing", "ed", "es", "s", "d")


def _stem(word: str) -> str:
    """The word without one regular inflection ("uploads", "uploaded", "uploading": "upload")."""
    for suffix in _INFLECTIONS:
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            return word[: -len(suffix)]
    return word


def _is_transposition(a: str, b: str) -> bool:
    diffs = [i for i, (x, y) in enumerate(zip(a, b, strict=True)) if x != y]
    return (
        len(diffs) == 2
        and diffs[1] == diffs[0] + 1
        and a[diffs[0]] == b[diffs[1]]
        and a[diffs[1]] == b[diffs[0]]
    )
