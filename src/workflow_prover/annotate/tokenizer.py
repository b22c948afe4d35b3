"""Tokenizer rules for workflow text: identifiers, arrows and schema keys split into words.

`retry_exponential_backoff=True`, `mender.create_deployment`, `createInvoice` and
`backoffCoefficient` carry words the lexicons know, so they are split: at underscores, at a
dot between lower-case letters (not before a file extension or a domain: `settings.py` and
`Frame.io` stay whole), and at a lower-to-upper camelCase boundary. Arrows are tokens.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from spacy.attrs import ORTH
from spacy.language import Language
from spacy.util import compile_infix_regex, compile_prefix_regex, compile_suffix_regex

from workflow_prover.annotate.guards import guarded_infix, guarded_prefix, guarded_suffix
from workflow_prover.extract.layout.grammar import ARROWS

_KEEP_AFTER_DOT = (
    "py|ya?ml|json|js|ts|env|ini|toml|cfg|conf|io|com|net|org|dev|app|ai|co|"
    "internal|local|txt|md|csv|xml|sh|tf|tfvars|html"
)
_ARROWS = tuple(sorted(ARROWS))

INFIXES = (
    r"(?<=[A-Za-z0-9])_(?=[A-Za-z0-9])",
    rf"(?<=[a-z])\.(?!(?:{_KEEP_AFTER_DOT})\b)(?=[a-z])",
    r"(?<=[a-z])(?=[A-Z][a-z])",
    r"-->|->|=>|==>|→|⇒|➜|➔|⟶",
    r"\[REDACTED:[a-z0-9_]{1,80}\]",  # a placeholder inside a URL is still one token
    r"(?<=[a-z0-9])://",  # "postgres://...", "sqs://...": the scheme names the service
    r"(?<=[A-Za-z0-9_()])[()\[\]{}](?=[A-Za-z0-9_().'\"`])",  # now().isoformat, fn(x), fn('x')
    r"[{}]",  # f"{order_id}-{uuid4()}": the parts of a template are words
    r"(?<=\()['\"`](?=\S)",  # execute('INSERT ...'): the quote opens a string, not a word
    r"(?<=[A-Za-z0-9_])=(?=[$\"'{\[])",  # TOKEN=${from-vault:...}: the name, then its value
    # `orders-<unix timestamp of the attempt>.csv`: a placeholder's brackets open and close
    # words of the template (not "<br/>", a line break, nor an arrow's head: "->", "=>")
    r"(?<=[-_/.:=A-Za-z0-9])<(?!br\b)(?=[A-Za-z_{$])",
    r"(?<=[A-Za-z0-9_}])>(?=[-_/.:A-Za-z0-9`])",
)


# spaCy's default URL rule keeps any `word.word` whole ("postgres.insert"); only web URLs stay
# one token here. `sqs://orders-dlq` and `s3://bucket/failed-items` are split into words.
URL = re.compile(r"^(?:(?:https?|ftp)://\S+|www\.\S+)$", re.IGNORECASE)


# "retried every 5s", "a flat 30s": a duration's unit is its own token, as spaCy already
# splits "2m" and "5 ms", so a rule reads "5s" as it reads "5 s"
DURATION_UNIT = r"(?<=[0-9])(?:s|ms|sec|secs|min|mins|h|hr|hrs)$"

_LINE_BREAK_TAG = r"<[bB][rR] ?/?>"

# A redaction placeholder is one token ("[REDACTED:github_token]"), never words of the design.
PLACEHOLDER = re.compile(r"^\[REDACTED:[a-z0-9_]{1,80}\]$")

# English exceptions that split real words of this domain: "id" is not "I'd", "em" not "them".
_NOT_CONTRACTIONS = frozenset(("id", "idve", "em", "ol", "hed", "wed", "ima"))


def affix_rules(nlp: Language) -> tuple[list[str], list[str], list[str]]:
    """The prefix, suffix and infix rules: spaCy's English ones and this domain's."""
    prefixes = [*_strs(nlp.Defaults.prefixes), "→", "⇒", "➜", "➔", "•", "·", "▪", "‣", "<br/>"]
    suffixes = [*_strs(nlp.Defaults.suffixes), "→", "⇒", "➜", "➔", DURATION_UNIT]
    # before spaCy's "<" between letters: "entry<br/>PUT", a line break in a diagram's label
    infixes = [_LINE_BREAK_TAG, *_strs(nlp.Defaults.infixes), *INFIXES]
    return prefixes, suffixes, infixes


def _strs(rules: Iterable[str | re.Pattern[str]] | None) -> list[str]:
    return [r if isinstance(r, str) else r.pattern for r in rules or ()]


def customise_tokenizer(nlp: Language) -> None:
    tokenizer: Any = nlp.tokenizer
    # also drop emoticons: "(Workday -> ADP):" must end in ")" and ":", not in "):", and
    # one-word abbreviations: "CyberArk." must end in "Ark" and ".", not in "Ark." (Arkansas)
    tokenizer.rules = {
        k: v
        for k, v in tokenizer.rules.items()
        if k.lower() not in _NOT_CONTRACTIONS
        and (any(c.isalnum() for c in k) or not set(k) & set(":;()[]=<>"))
        and not (k.endswith(".") and k[:-1].isalpha())
    }
    tokenizer.url_match = URL.match
    tokenizer.token_match = PLACEHOLDER.match
    prefixes, suffixes, infixes = affix_rules(nlp)
    # each regex behind a pre-test of the word's first or last characters (guards.py)
    tokenizer.infix_finditer = guarded_infix(infixes, compile_infix_regex)
    tokenizer.prefix_search = guarded_prefix(compile_prefix_regex(prefixes).search)
    tokenizer.suffix_search = guarded_suffix(suffixes, compile_suffix_regex)
    for arrow in _ARROWS:
        tokenizer.add_special_case(arrow, [{"ORTH": arrow}])
    _drop_whitespace_specials(tokenizer)


def _drop_whitespace_specials(tokenizer: Any) -> None:
    """Drop spaCy's special cases for a whitespace chunk that is its own token ("\n", " ",
    "\t"), when the chunk splits into itself without them (checked here, once).

    They changed no token, but a special case turns spaCy's chunk cache off for the rest of
    the text (spaCy issue #1250: the flag is never reset within a doc), so after a text's
    first line break every word went through the affix regexes again, however often seen.
    """
    plain = {k for k, v in tokenizer.rules.items() if k.isspace() and v == [{ORTH: k}]}
    if not plain:
        return
    tokenizer.rules = {k: v for k, v in tokenizer.rules.items() if k not in plain}
    for chunk in sorted(plain):
        if [t.text for t in tokenizer(chunk)] != [chunk]:
            tokenizer.add_special_case(chunk, [{ORTH: chunk}])
