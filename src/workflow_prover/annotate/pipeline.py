"""The spaCy pipeline: a blank English tokenizer and two rule steps driven by lexicons.

This module (with `tokenizer.py`) is the only place that imports spaCy. It turns a text into
an `Annotation` (plain tokens and lexicon matches); everything after that is pure Python.

After the tokenizer, in order:
- typos: each misspelt token's NORM is set to the lexicon word it was meant to be
  ("exponentail" -> "exponential"), so every matcher downstream reads through typos;
- phrases: one PhraseMatcher on NORM (phrases) and one on ORTH (service aliases that are
  also English words: "Box", "Canvas"), with the lexicon row id of every match. List patterns
  run in `tokenmatch.TokenMatcher` afterwards (same pattern format as spaCy's Matcher, much
  faster for the lexicons' `IN` sets).
Both steps are called directly on the tokenizer's doc rather than as spaCy pipeline
components: `Language.__call__` and a second `Doc.to_array` cost more than the steps did.
"""

from __future__ import annotations

import dataclasses
import re
import threading
from bisect import bisect_left
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import spacy
from spacy.attrs import FLAG19
from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc
from spacy.vocab import Vocab

from workflow_prover.annotate.phrasal import SplitPhrasals
from workflow_prover.annotate.tokenizer import customise_tokenizer
from workflow_prover.annotate.tokenmatch import TokenMatcher
from workflow_prover.annotate.types import Annotation, Group, Mention, Tok, longest_first
from workflow_prover.annotate.typos import FuzzyCorrector
from workflow_prover.annotate.vocabulary import (
    ambiguous_aliases,
    english_words,
    fuzzy_vocabulary,
    name_only_words,
    protected_words,
    service_words,
    verb_forms,
)
from workflow_prover.lexicon.loader import Lexicons
from workflow_prover.lexicon.schema import CueRow

_VERDICT_NAMES = re.compile(
    r"\b(?:WORKFLOW_PROVEN|HAPPY_PATH_BIAS|NON_IDEMPOTENT|MISSING_DLQ|NO_BACKOFF|"
    r"INSECURE_CREDENTIALS|UNDERSPECIFIED|NOT_APPLICABLE|[A-Z]{2,}(?:_[A-Z]{2,}){1,4})\b"
)
_PLACEHOLDERS = re.compile(r"\[REDACTED:[a-z0-9_]{1,80}\]")
_VERDICT_HINT = re.compile(r"[A-Z]_[A-Z]")  # in every verdict name but UNDERSPECIFIED
# a source file's path ("`__tests__/pages/api/shopify/order-webhook-failure.test.ts`"): its
# words name no service, cue or verb; found only where a file extension is in the text
_EXTENSIONS = r"(?:ts|tsx|js|jsx|mjs|py|rb|go|java|kt|cs|php|rs|sql|sh|ya?ml|json|toml|tf|md)"
_EXTENSION_HINT = re.compile(rf"\.{_EXTENSIONS}\b")
_FILE_PATH = re.compile(rf"[\w.@\[\]-]*(?:/[\w.@\[\]-]+)+\.{_EXTENSIONS}\b")
_NUMBER = re.compile(r"^\d+(?:\.\d+)?")


_FIELDS = tuple(f.name for f in dataclasses.fields(Mention))
_DEFAULTS = {f.name: f.default for f in dataclasses.fields(Mention)}
_START, _END, _VALUE = (_FIELDS.index(name) for name in ("start", "end", "value"))


@dataclass(frozen=True, slots=True)
class _Rule:
    """A lexicon row as its mentions need it: `facts` are the Mention's typed fields."""

    group: Group
    label: str
    rule: str
    facts: tuple[tuple[str, object], ...] = ()
    value_check: str | None = None
    weak: bool = False  # a lower-case match of an alias that is also an English word
    # every field of its mentions but the span and the value, in Mention's order: a mention
    # is built positionally from it (keywords cost twice as much, by the thousand per text)
    args: tuple[object, ...] = dataclasses.field(init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        own = {"group": self.group, "label": self.label, "rule": self.rule, "weak": self.weak}
        values = {**_DEFAULTS, **own, **dict(self.facts)}
        object.__setattr__(self, "args", tuple(values[name] for name in _FIELDS))


class LexiconPipeline:
    """A built pipeline: call `annotate(text)`; safe to share between threads."""

    def __init__(self, lex: Lexicons) -> None:
        self.lex = lex
        self.nlp: Language = spacy.blank("en")
        customise_tokenizer(self.nlp)
        self._rules: dict[str, _Rule] = {}
        self._keys: dict[int, str] = {}  # the matchers' id for a key -> the key
        self._by_id: dict[int, _Rule] = {}  # the same -> the key's rule
        self._corrector = FuzzyCorrector(
            fuzzy_vocabulary(lex),
            protected_words(lex) | english_words(),
            verb_forms(lex),
            name_only_words(lex),
            service_words(lex),
        )
        self._common = frozenset(t.pattern.lower() for t in lex.terms if t.label == "COMMON")
        self._phrases = PhraseMatcher(self.nlp.vocab, attr="NORM")
        self._exact = PhraseMatcher(self.nlp.vocab, attr="ORTH")
        self._tokens = TokenMatcher()
        self._add_rules()
        particles = frozenset(
            w for row in lex.words if row.label == "VERB_PARTICLE" for w in row.words
        )
        self._split = SplitPhrasals(
            ((v.id, verb_forms_of(v.pattern, v.forms)) for v in lex.verbs if " " in v.pattern),
            particles,
        )
        self._by_id = {id_: self._rules[key] for id_, key in self._keys.items()}
        # every word's text tested once, as spaCy makes its lexeme: whether the corrector may
        # correct it, and whether the token patterns' heads that read only the text run there
        vocab = self.nlp.vocab
        self._attrs = [
            *_ATTRS,
            _add_flag(vocab, _typo_flag(self._corrector)),
            _add_flag(vocab, _text_flag(self._tokens)),
        ]
        # spaCy's shared vocabulary grows as new words are seen; one lock keeps that safe.
        self._lock = threading.Lock()

    # ---- building ----------------------------------------------------------------------

    def _register(self, key: str, rule: _Rule) -> str:
        self._rules[key] = rule
        return key

    def _phrase(self, key: str, phrases: Iterable[str], exact: bool = False) -> None:
        docs = [self.nlp.make_doc(p) for p in dict.fromkeys(phrases) if p.strip()]
        (self._exact if exact else self._phrases).add(key, docs)
        self._keys[self.nlp.vocab.strings.add(key)] = key  # the matchers' id for the key

    def _add_rules(self) -> None:
        lex = self.lex
        ambiguous = ambiguous_aliases(lex)
        roles = {c.name: c.role for c in lex.categories}
        for svc in lex.services:
            facts: tuple[tuple[str, object], ...] = (
                ("service", svc.name),
                ("vendor", svc.vendor or ""),
                ("mechanism_part", roles[svc.category] != "api"),
            )
            key = self._register(svc.id, _Rule(Group.SERVICE, svc.category, svc.id, facts))
            names = [svc.name, *svc.aliases]
            plain = [a for a in names if a.lower() not in ambiguous]
            self._phrase(key, plain + [a.lower() for a in plain] + _slugs(plain))
            exact = [a for a in names if a.lower() in ambiguous]
            if exact:
                self._phrase(key + "#exact", exact, exact=True)
                self._rules[key + "#exact"] = self._rules[key]
                # "create a transfer in wise": lower case, kept only in a system's place
                self._phrase(key + "#weak", [a.lower() for a in exact])
                self._rules[key + "#weak"] = dataclasses.replace(self._rules[key], weak=True)
        for verb in lex.verbs:
            facts = (("starts_run", verb.starts_run),)
            key = self._register(verb.id, _Rule(Group.VERB, verb.label, verb.id, facts))
            self._phrase(key, verb_forms_of(verb.pattern, verb.forms))
        for cue in lex.cues:
            self._add_pattern(cue.id, cue.pattern, _cue_rule(cue))
        for ctx in lex.context:
            facts = (
                ("direction", ctx.direction),
                ("max_scope", ctx.max_scope),
                ("reach", ctx.reach),
                ("effect", ctx.effect or ""),
                ("kinds", tuple(k.value for k in ctx.kinds)),
            )
            self._add_pattern(ctx.id, ctx.pattern, _Rule(Group.CONTEXT, ctx.label, ctx.id, facts))
        for term in lex.terms:
            facts = (("category", term.category or ""), ("filter", term.filter or ""))
            key = self._register(term.id, _Rule(Group.TERM, term.label, term.id, facts))
            self._phrase(key, [term.pattern])

    def _add_pattern(self, key: str, pattern: str | list[dict[str, Any]], rule: _Rule) -> None:
        self._register(key, rule)
        if isinstance(pattern, str):
            self._phrase(key, [pattern])
            return
        self._tokens.add(key, pattern)

    # ---- running -----------------------------------------------------------------------

    def annotate(self, text: str) -> Annotation:
        with self._lock:
            doc = self.nlp.make_doc(text)
            arr = doc.to_array(self._attrs).tolist()
            toks, index, marked = _tokens(doc, arr, text, self._corrector)
            # a match id -> its rule, or its key: a string-store lookup costs more than a match
            by_id, keys = self._by_id, self._keys
            phrases = [(by_id[m], index[s], index[e - 1] + 1) for m, s, e in self._phrases(doc)]
            exact = [(keys[m], index[s], index[e - 1] + 1) for m, s, e in self._exact(doc)]
        rules = self._rules
        patterns = [(rules[key], s, e) for key, s, e in self._tokens(toks, marked)]
        return self._annotation(text, toks, marked, phrases, exact, patterns)

    def _annotation(
        self,
        text: str,
        toks: list[Tok],
        marked: list[int],
        phrases: list[tuple[_Rule, int, int]],
        exact: list[tuple[str, int, int]],
        patterns: list[tuple[_Rule, int, int]],
    ) -> Annotation:
        """The mentions of the matches: those of the NORM phrases, then of the ORTH ones
        (their order decides between a service's exact and weak mention of one span), then
        of the token patterns; every span is non-empty, and `marked` holds every token that
        starts with a digit (`_text_flag`)."""
        masked = _masked(text)
        number_at, numbers = _numbers(toks, marked)
        any_number = bool(number_at)
        rules = self._rules
        # "Greenhouse monitoring:" is capitalised because it starts a line; "Gusto" there is
        # the product when the text also names it mid-sentence ("pay runs from Gusto")
        initial = {
            (key, s)
            for key, s, _ in exact
            if _starts_sentence(toks, s) and toks[s].norm in self._common
        }
        named = {key for key, s, _ in exact if (key, s) not in initial}
        spans = phrases + [
            (rules[key], s, e) for key, s, e in exact if (key, s) not in initial or key in named
        ]
        spans += patterns
        by_group: dict[Group, list[Mention]] = {g: [] for g in Group}
        for rule, s, e in spans:
            if rule.weak and not all(t.text.islower() for t in toks[s:e] if t.text.isalpha()):
                continue  # "Wise", "UPS" as written are the exact rule's; "wise" may be a word
            value = None  # the span's first number
            if any_number:
                k = bisect_left(number_at, s)
                if k < len(number_at) and number_at[k] < e:
                    value = numbers[k]
            if rule.value_check and not _value_ok(rule.value_check, value):
                continue
            if (
                masked
                and rule.group is not Group.CONTEXT
                and _is_masked(toks[s], toks[e - 1], masked)
            ):
                continue
            args = list(rule.args)  # built in line: a method call costs a third as much again
            args[_START], args[_END], args[_VALUE] = s, e, value
            by_group[rule.group].append(Mention(*args))  # type: ignore[arg-type]
        verbs = by_group[Group.VERB]
        covered = {i for m in verbs for i in range(m.start, m.end)}
        for key, s, e in self._split(toks, covered, text):  # "look the sender up"
            args = list(rules[key].args)
            args[_START], args[_END], args[_VALUE] = s, e, None
            verbs.append(Mention(*args))  # type: ignore[arg-type]
        # claim cues are filtered by their requirements first (extract.view), then by length
        for group in (Group.SERVICE, Group.VERB):
            by_group[group] = longest_first(by_group[group])
        for group in (Group.CUE, Group.CONTEXT, Group.TERM):
            by_group[group] = _in_order(by_group[group])
        return Annotation(text=text, toks=toks, mentions=by_group, masked=masked)


def _cue_rule(cue: CueRow) -> _Rule:
    facts = (
        ("inverted", cue.inverted),
        ("requires", cue.requires or ""),
        ("mechanism_part", cue.mechanism_part),
        ("states_rate", cue.states_rate),
        ("threat", cue.threat),
        ("absent", cue.absent),
        ("store_constraint", cue.store_constraint),
    )
    return _Rule(Group.CUE, cue.label, cue.id, facts, cue.value_check)


def _slugs(names: Iterable[str]) -> list[str]:
    """'aws-secrets-manager', 'google_cloud_storage': a multi-word name written as a slug."""
    return [sep.join(name.lower().split()) for name in names if " " in name for sep in ("-", "_")]


def verb_forms_of(base: str, irregular: Iterable[str]) -> list[str]:
    """Base form, listed irregular forms, and regular -s/-ed/-ing forms of the first word."""
    head, _, rest = base.partition(" ")
    tail = f" {rest}" if rest else ""
    forms = [base, *irregular]
    if head.endswith(("s", "sh", "ch", "x", "z", "o")):
        third = head + "es"
    elif head.endswith("y") and head[-2:-1] not in "aeiou":
        third = head[:-1] + "ies"
    else:
        third = head + "s"
    if head.endswith("e"):
        past, ing = head + "d", (head[:-1] if not head.endswith("ee") else head) + "ing"
    elif head.endswith("y") and head[-2:-1] not in "aeiou":
        past, ing = head[:-1] + "ied", head + "ing"
    else:
        past, ing = head + "ed", head + "ing"
    forms += [third + tail, past + tail, ing + tail]
    return list(dict.fromkeys(forms))


# what is read of every token, once, through `Doc.to_array`: Token objects cost several
# microseconds a token (the pipeline adds its typo and text flags: `_add_flag`)
_ATTRS: list[int | str] = ["LENGTH", "NORM", "LOWER", "IDX", "SPACY", "IS_SPACE"]
_Row = list[int]


def _typo_flag(corrector: FuzzyCorrector) -> Callable[[str], bool]:
    """The words the corrector is asked about: all letters, not all upper case (acronyms,
    SES and DLQ, are no typos) and not known (a known word is never corrected)."""
    known = corrector.known
    return lambda text: text.isalpha() and not text.isupper() and text.lower() not in known


def _text_flag(matcher: TokenMatcher) -> Callable[[str], bool]:
    """The test of a word's text the pipeline flags: the token patterns' heads need it, or
    the word starts with a digit (a number `_FirstNumber` reads: the heads re-test theirs)."""
    marks = matcher.text_test()
    return lambda text: marks(text) or text[:1].isdigit()


def _add_flag(vocab: Vocab, test: Callable[[str], bool]) -> int:
    """A lexeme flag of `vocab` holding `test` of each word's text: spaCy computes it for
    the words it has and for each new one as it makes its lexeme (`Vocab.add_flag`), so a
    text's tokens read it through `to_array` without a call. One of spaCy's unused flag bits
    (FLAG19-FLAG63) not taken already."""
    taken = vocab.lex_attr_getters  # type: ignore[attr-defined]  # (not in spaCy's stubs)
    free = next(bit for bit in range(FLAG19, 64) if bit not in taken)
    return int(vocab.add_flag(test, free))


_MID_SENTENCE_NAME = re.compile(r"(?<=[a-z,;)] )([A-Z][a-z]{2,})\b")


def _tokens(
    doc: Doc, arr: list[_Row], text: str, corrector: FuzzyCorrector
) -> tuple[list[Tok], list[int], list[int]]:
    """Non-space tokens with line information, doc index -> token index, and the tokens
    whose text flag is set; `arr` is the doc's `_ATTRS`, typo flag and text flag, and `text`
    the text the doc was made from (spaCy's tokenizer keeps every character, so it is
    `doc.text`, which spaCy rebuilds from the tokens on every access).

    Each misspelt word's NORM is set, in the doc too (the phrase matchers read it next), to
    the word meant; only the words of the typo flag are looked up. A token's text is its
    slice of the text (IDX, LENGTH), its lower case that slice lower-cased (spaCy's LOWER is
    `str.lower`), and its norm is looked up in the string store only when it is not the
    lower-cased text ("—" read as "-"): each lookup costs more than the rest of the token.
    What follows a token is one space when SPACY says so (spaCy sets it for a " " only) or
    nothing, or the line break a whitespace token after it holds.
    """
    strings = doc.vocab.strings
    toks: list[Tok] = []
    index: list[int] = []
    marked: list[int] = []
    # words the text writes capitalised mid-sentence are names there and at a sentence's
    # start too ("... in Dispatchr. Dispatchr calls ..."); found (a regex over the whole
    # text, 11 us) only once a capitalised word is to be corrected: one text in ten or so
    names: set[str] | None = None
    line, line_start, indent = 0, True, 0
    n = 0  # len(toks)
    for i, (length, norm, lower, idx, spacy_ws, is_space, typo, flag) in enumerate(arr):
        end = idx + length
        word = text[idx:end]
        if is_space:
            index.append(n - 1 if n else 0)
            if n and not toks[-1].ws:
                toks[-1].ws = "\n" if "\n" in word else " "  # "Postgres\nwarehouse": two words
            if "\n" in word or "\n" in text[end : end + spacy_ws]:
                line += word.count("\n")
                line_start = True
            continue
        if line_start:
            indent = idx - (text.rfind("\n", 0, idx) + 1)
        index.append(n)
        low = word.lower()
        shown = low if norm == lower else strings[norm]
        if typo:
            name_like = False
            if word[:1].isupper():
                if names is None:
                    names = {m.group(1).lower() for m in _MID_SENTENCE_NAME.finditer(text)}
                name_like = low in names or (
                    not line_start and bool(n) and toks[-1].text not in ".!?:"
                )
            meant = corrector.correct(low, name_like)
            if meant is not None:
                doc[i].norm_ = meant
                shown = meant
        if flag:
            marked.append(n)
        toks.append(
            Tok(n, word, shown, idx, end, " " if spacy_ws else "", line, line_start, indent)
        )
        n += 1
        line_start = False
    return toks, index, marked


def _starts_sentence(toks: list[Tok], i: int) -> bool:
    return i == 0 or toks[i].line_start or toks[i - 1].text in (".", "!", "?", ":", "-", "•", "*")


def _numbers(toks: list[Tok], marked: list[int]) -> tuple[list[int], list[float]]:
    """The tokens holding a number, in order, and their numbers: only the tokens that start
    with a digit are read (str.isdigit holds for every character `\\d` matches, and a few
    more); `marked` (in order) holds them all, and may hold others."""
    at: list[int] = []
    values: list[float] = []
    for i in marked:
        text = toks[i].text
        if text[:1].isdigit():
            m = _NUMBER.match(text)
            if m:
                at.append(i)
                values.append(float(m.group(0)))
    return at, values


def _value_ok(check: str, value: float | None) -> bool:
    if value is None:
        return False
    return value > 1 if check == "gt1" else value == 1


def _is_masked(first: Tok, last: Tok, masked: list[tuple[int, int]]) -> bool:
    return any(s <= first.start and last.end <= e for s, e in masked)


def build_pipeline(lex: Lexicons) -> LexiconPipeline:
    return LexiconPipeline(lex)


def _in_order(mentions: list[Mention]) -> list[Mention]:
    """Mentions without repeats, in text order, and those of one span by rule id (which rule a
    finding names must not depend on the order the matchers found them in).

    A mention of these groups is its row and span (every other field follows from them),
    so one is kept per (start, end, rule); sorting those keys compares tuples in C, where
    a set of mentions sorted by a key function called Python twice a mention."""
    by_key = {(m.start, m.end, m.rule): m for m in mentions}
    return [by_key[key] for key in sorted(by_key)]


def _masked(text: str) -> list[tuple[int, int]]:
    """Spans of verdict names, redaction placeholders and file paths in the text. Each regex is
    run only on a text holding what every match holds: an upper-case letter on each side of
    "_" or the one verdict name without one, and "[REDACTED:" (snake_case identifiers are
    common, verdict names rare, and the names' regex costs 10 us a text)."""
    names = ("_" in text and _VERDICT_HINT.search(text) is not None) or "UNDERSPECIFIED" in text
    masked = [(m.start(), m.end()) for m in _VERDICT_NAMES.finditer(text)] if names else []
    if "[REDACTED:" in text:
        masked += [(m.start(), m.end()) for m in _PLACEHOLDERS.finditer(text)]
    if "/" in text and _EXTENSION_HINT.search(text) is not None:
        masked += [(m.start(), m.end()) for m in _FILE_PATH.finditer(text)]
    return masked
