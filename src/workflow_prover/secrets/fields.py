"""Secrets by position: a random-looking value in a field whose name says it holds a credential.

The detectors of `secrets.jsonl` know the shapes of vendors' keys (`ghp_...`, `sk_live_...`)
and a few labels. Real definitions also carry keys of no known shape: an n8n header
`{"name": "X-Apikey", "value": "<64 hex>"}`, a query parameter `api_key=...`, a body field
`"token": "..."`, "the signing secret is ...". This detector finds them in two steps:

1. a candidate value: a run of 20 or more key characters that looks random (hex of 32 or more;
   otherwise letters and digits mixed, with enough distinct characters), or, for a password
   (or any credential named in a name/value pair, a field rather than prose), 8 to 19
   characters mixing letters with digits or symbols. Such runs are rare in
   prose, so the costly look at the context runs only a few times per text;
2. a credential position right before it: `LABEL: value`, `LABEL=value`, `"LABEL": "value"`,
   a name/value pair (`"name": "LABEL", "value": "..."`, YAML `name:` / `value:` lines),
   `Authorization: Bearer value`, prose (`the LABEL is value`), or a clause that names a
   credential before its colon ("the api token is hardcoded in the notebook: value"), or a
   credential noun right before a random value ("the kitchen-api key kx_live_8fJ..."). The
   label is split into
   words and read with `lexicons/credential_labels.jsonl`: it must hold a credential word
   (token, secret, password, signature, or `key` with a qualifier such as api/access/private)
   and no word that says the value is something else (an id, a hash, an etag, a commit, a
   page or idempotency token).

Placeholders and references (`{{ $credentials.x }}`, `${{ secrets.X }}`, `<your-key>`) are
filtered by the scanner's shared reference test, as for every other detector.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from workflow_prover.lexicon.schema import CredentialLabelRow

__all__ = ["FieldHit", "FieldSecrets"]

FIELD_RULE = "secret.credential_field"

# A key or password has a digit or a symbol somewhere; a run of letters, dots, dashes and
# underscores is a word or an identifier (the look-ahead keeps the candidates few).
_VALUE = re.compile(
    r"(?<![A-Za-z0-9+/_.~!@#$%^&*-])"
    r"(?=[A-Za-z_.~-]{0,1023}[0-9+/!@#$%^&*])"
    r"[A-Za-z0-9+/][A-Za-z0-9+/_.~!@#$%^&*-]{6,1022}[A-Za-z0-9+/!#$%&*]={0,2}"
    r"(?![A-Za-z0-9+/=])"
)
_ANCHOR = re.compile(r"[0-9+/!@#$%^&*]")
# The characters a value may hold before its anchor: `=` only pads a value's end, so the walk
# back from an anchor stops at the `=` of `CONSUMER_KEY=value` instead of crossing into the label
_VALUE_CHARS = frozenset(
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/_.~!@#$%^&*-"
)
_HEX = re.compile(r"[0-9a-fA-F]{32,}")
_UUID = re.compile(r"[0-9a-fA-F]{8}-(?:[0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}")
_WORDY = re.compile(r"[a-z]+(?:[-_.][a-z0-9]+)*|[A-Z][a-z]+(?:[A-Z][a-z]+)*")
_LABEL_WORDS = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|[0-9]+")

_WINDOW = 320  # characters before a value searched for its label

# The positions, each ending where the value starts. Python's `re` cannot search backwards, and
# a search for `...\Z` over the window costs 0.2-0.8 ms per candidate (it tries every start).
# So each pattern is written reversed and *matched* at the start of the reversed window: the
# cost is that of one match. The forward form of each is in its comment; `_reverse_label`
# turns the captured label back.
_REV_SCHEME = r"(?:[ \t]+(?:reraeB|cisaB|nekoT|toB|yeKipA|tsegiD))?"
_REV_WORD = r"[A-Za-z0-9_.-]{0,63}[A-Za-z]"
_POSITIONS: tuple[tuple[str, re.Pattern[str]], ...] = (
    (
        # {"name": "X-Apikey", "value": "..."}; YAML name: / value: lines.
        # Forward: ["']?(name|key|header|...)["']? : ["']? LABEL ["']? ,? (other: "field",){0,3}
        #          ["']?value["']? : ["'`]? (Bearer )?
        "pair",
        re.compile(
            _REV_SCHEME
            + r"""["'`]?[ \t]*[:=][ \t]*["']?eulav["']?"""
            + r"""(?:\s*,?[ \t]*(?:"[^"\n]{0,80}"|[A-Za-z0-9]{1,20})[ \t]*:[ \t]*"""
            + r"""["']?[A-Za-z]{1,20}["']?){0,3}"""
            + r"""\s*,?[ \t]*["']?(?P<label>[A-Za-z0-9 _.-]{0,63}[A-Za-z])["']?[ \t]*[:=][ \t]*"""
            + r"""["']?(?:eman|yek|redaeh|marap|retemarap|dleif)["']?"""
        ),
    ),
    (
        # X-Apikey: v, api_key=v, "token": "v", Authorization: Bearer v.
        # Forward: LABEL ["'`]? (**|__)? (:=|=>|:|=) ["'`]? (Bearer )?
        "assignment",
        re.compile(
            _REV_SCHEME
            + r"""["'`]?[ \t]*(?:=:|>=|[:=])[ \t]*(?:\*\*|__)?["'`]?(?P<label>"""
            + _REV_WORD
            + ")"
        ),
    ),
    (
        # the signing secret is v; the X-Apikey header is set to v; the token for Foo is v.
        # Forward: LABEL(1-3 words) (header|param|...)? (for|of|on|to X{1,3})? (is|was|=)
        #          (set to)? (still|now|...)? ["'`]? (Bearer )?
        "prose",
        re.compile(
            _REV_SCHEME
            + r"""["'`]?[ \t]+"""
            + r"(?:(?:llits|won|yltnerruc|yllaretil|tsuj|ylpmis|yllautca)[ \t]+)?"
            + r"(?:ot[ \t]+tes[ \t]+)?(?:si|saw|=)"
            + r"(?:(?:[ \t]+[^\s:=]{1,40}){1,3}[ \t]+(?:rof|fo|no|ot))?"
            + r"(?:[ \t]+(?:redaeh|marap|retemarap|dleif|eulav|elbairav|gnirts))?"
            + rf"[ \t]+(?P<label>{_REV_WORD}(?:[ \t]+{_REV_WORD}){{0,2}})"
        ),
    ),
    (
        # the api token is hardcoded in the notebook: v; the key is in close.yml as v.
        # Forward: (start | newline | [.!?;] before a space | :) STRETCH (:|=| is| was| as| to)
        "mention",
        re.compile(
            _REV_SCHEME
            + r"""["'`]?[ \t]*(?:[:=]|(?:si|saw|sa|ot)[ \t]+)"""
            + r"(?P<label>(?:[^.!?;\n:=]|(?<=\S)[.!?;]){1,120})(?:\Z|\n|[.!?;:])"
        ),
    ),
)
# Every position ends in an operator or a copula, then maybe a quote and an auth scheme; the
# bare position ends in a word. Tested on the last 24 characters before anything else.
_POSITION_END = re.compile(
    r"""(?:[:=>]|\b(?:is|was|as|to)|[A-Za-z])[ \t]*["'`]?[ \t]*"""
    r"(?:(?:Bearer|Basic|Token|Bot|ApiKey|Digest)[ \t]+)?\Z"
)
_SHORT_SECRET_KINDS = frozenset({"password"})  # a password may be short: 8+ characters
# A name/value pair is a field, not prose: any credential it names may be short (an n8n Set node's
# `{"name": "apiKey", "value": "n8n-secret-keey"}` is a key however short it is).
_SHORT_SECRET_POSITIONS = frozenset({"pair"})


@dataclass(frozen=True, slots=True)
class FieldHit:
    kind: str  # placeholder kind: api_key, token, secret, password, signature
    start: int
    end: int
    position: str  # which position matched: pair, assignment, prose, mention, bare


class FieldSecrets:
    """Finds random-looking values in credential positions (see the module docstring)."""

    __slots__ = ("_bare", "_kinds", "_not", "_qualified", "_qualifiers")

    def __init__(self, rows: Sequence[CredentialLabelRow]) -> None:
        self._kinds = {r.word: r.kind or "api_key" for r in rows if r.role == "credential"}
        self._qualified = {r.word: r.kind or "api_key" for r in rows if r.role == "qualified"}
        self._qualifiers = frozenset(r.word for r in rows if r.role == "qualifier")
        self._not = frozenset(r.word for r in rows if r.role == "not_credential")
        # "the kitchen-api key kx_live_8fJ2...": a credential noun right before the value.
        # Forward: (WORD ){0,2} [prefix-]CREDENTIAL_WORD ["'`]? (reversed, as above)
        words = sorted(self._kinds.keys() | self._qualified.keys(), key=len, reverse=True)
        alternatives = "|".join(re.escape(word[::-1]) for word in words)
        self._bare = (
            re.compile(
                rf"""["'`]?[ \t]+(?P<label>(?i:{alternatives})(?!\w)[A-Za-z0-9_.-]{{0,40}}"""
                rf"(?:[ \t]+{_REV_WORD}){{0,2}})"
            )
            if words
            else None
        )

    def find(self, text: str) -> Iterator[FieldHit]:
        if not self._kinds:
            return
        for value in self._candidates(text):
            start, end = value.span()
            if value.group().startswith("//"):
                continue  # the rest of a URL after its scheme's colon
            short = not looks_random(value.group())
            if short and not _looks_like_password(value.group()):
                continue
            if not _POSITION_END.search(text[max(0, start - 24) : start]):
                continue  # not right after ':', '=', 'is', 'to' (cheap test first)
            reverse = text[max(0, start - _WINDOW) : start][::-1]
            for position, pattern in _POSITIONS:
                found = pattern.match(reverse)
                if found is None:
                    continue
                label = found.group("label")[::-1]
                kind = self.mention_kind(label) if position == "mention" else self.label_kind(label)
                if kind is not None and (
                    not short or kind in _SHORT_SECRET_KINDS or position in _SHORT_SECRET_POSITIONS
                ):
                    yield FieldHit(kind, start, end, position)
                    break
            else:
                bare = None if short or self._bare is None else self._bare.match(reverse)
                kind = None if bare is None else self.label_kind(bare.group("label")[::-1])
                if kind is not None:
                    yield FieldHit(kind, start, end, "bare")

    def _candidates(self, text: str) -> Iterator[re.Match[str]]:
        """Candidate values: runs of key characters around a digit or symbol (a key or
        password has one). `re` finds those characters fast; the run is then matched where
        it starts, so the cost follows the digits of a text, not its length."""
        covered = 0
        for anchor in _ANCHOR.finditer(text):
            position = anchor.start()
            if position < covered:
                continue
            lo = position
            while lo > 0 and position - lo < 1024 and text[lo - 1] in _VALUE_CHARS:
                lo -= 1
            found = _VALUE.match(text, lo)
            covered = found.end() if found is not None else position + 1
            if found is not None:
                yield found

    def label_kind(self, label: str) -> str | None:
        """The secret kind a field of this name holds, or None when it holds no credential."""
        words = [w.lower() for w in _LABEL_WORDS.findall(label)]
        words = [part for word in words for part in self._split(word)]
        if not words or any(word in self._not for word in words):
            return None
        for index, word in enumerate(words):
            if word in self._kinds:
                return self._kinds[word]
            if word in self._qualified and any(w in self._qualifiers for w in words[:index]):
                return self._qualified[word]
        return None

    def mention_kind(self, stretch: str) -> str | None:
        """The kind of the credential a clause names before its colon ("the api token is
        hardcoded in the notebook:"): the last credential word, with neither neighbour a word
        that makes it something else ("the idempotency key:"). Here `key` needs no qualifier:
        a clause that names "the Close key" and then a random value is giving the key."""
        words = [w.lower() for w in _LABEL_WORDS.findall(stretch)]
        words = [part for word in words for part in self._split(word)]
        for index in range(len(words) - 1, -1, -1):
            word = words[index]
            before = words[index - 1] if index else ""
            after = words[index + 1] if index + 1 < len(words) else ""
            if before in self._not or after in self._not:
                continue
            if word in self._kinds:
                return self._kinds[word]
            if word in self._qualified and before:  # "the Close key ... as": any owner
                return self._qualified[word]
        return None

    def _split(self, word: str) -> list[str]:
        """`apikey` -> api, key; `authtoken` -> auth, token (known words glued together)."""
        known = self._kinds.keys() | self._qualified.keys() | self._qualifiers | self._not
        if word in known:
            return [word]
        for cut in range(2, len(word) - 1):
            head, tail = word[:cut], word[cut:]
            if head in known and tail in known:
                return [head, tail]
        return [word]


def looks_random(value: str) -> bool:
    """A key, not a word, path or number: hex of 32+, a UUID, or mixed key characters.

    Mixed means a letter and a digit, not wordy (`my-service-account-2024` is a name), and
    at least 3.5 bits of entropy per character (a base62 key has about 5.9).
    """
    core = value.rstrip("=")
    if _UUID.fullmatch(core) or (_HEX.fullmatch(core) and not core.isdigit()):
        return True
    if len(core) < 20 or _WORDY.fullmatch(core):
        return False
    if not (any(c.isdigit() for c in core) and any(c.isalpha() for c in core)):
        return False
    return _entropy(core) >= 3.5


def _looks_like_password(value: str) -> bool:
    """8 to 19 characters mixing a letter with a digit or a symbol, and not a wordy name."""
    if not 8 <= len(value) < 20 or _WORDY.fullmatch(value):
        return False
    has_letter = any(c.isalpha() for c in value)
    return has_letter and any(not c.isalpha() for c in value)


def _entropy(value: str) -> float:
    counts = Counter(value)
    size = len(value)
    return -sum(n / size * math.log2(n / size) for n in counts.values())
