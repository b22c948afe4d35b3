"""Blocks: what each line of a text is, and what part of a document it belongs to.

Design documents, issues and chat relays carry lines that are not statements about the
design: titles and headings ("## Context", "RFC-77: HubSpot → Salesforce contact sync"),
metadata ("Status: accepted", "Owner: @ana"), table headers and separators. They are never
steps and never claims. Headings also open *sections*, and a section's role
(`lexicons/sections.jsonl`) says how its prose counts:

- `design` (the default: "Flow", "Decision", "Resilience"): read as the design;
- `background` ("Context", "Background", "Problem"): describes where the design starts from;
  it adds no claim, and a step only where the design elsewhere acts on the same system;
- `setup` ("Getting started", "Installation"): how to run the project: no step, but its
  claims count ("store `secretKey` in a `.env` file");
- `alternatives`, `history`, `questions`, `out_of_scope`, `future`: not the current design:
  no step and no claim ("Option B (rejected): retry every 30 s").

A line is a heading when it is a markdown heading (`#`, or a line underlined with `===`/`---`),
a whole line in bold, or a title: the first line of a text of several lines, short, with no
full stop and no subject pronoun. A `#` line that reads like a sentence (a comma, a pronoun,
a full stop) is a comment in a pasted config, not a heading; after two or more hashes only a
comma or a full stop says so ("### What it does" is a heading).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from workflow_prover.lexicon.schema import SectionRow

__all__ = ["Blocks", "read_blocks"]

_ATX = re.compile(r"^\s{0,3}(#{1,6})\s+(?P<text>\S.*?)\s*#*\s*$")
_SETEXT = re.compile(r"^\s{0,3}(?:=+|-{3,})\s*$")
_BOLD_LINE = re.compile(r"^\s*(?:\*\*|__)(?P<text>[^*_\n]{1,80})(?:\*\*|__)\s*:?\s*$")
_TABLE_ROW = re.compile(r"^\s*\|.*\|\s*$")
_TABLE_SEP = re.compile(r"^\s*\|?\s*:?-{3,}:?\s*(?:\|\s*:?-{3,}:?\s*)*\|?\s*$")
_META = re.compile(r"^\s*(?:[*_>-]\s*)?(?:\*\*)?(?P<key>[A-Za-z][A-Za-z -]{1,24}?)(?:\*\*)?\s*:")
_SENTENCE_LIKE = re.compile(r"[,;]|\.\s*$|\b(?:we|i|it|they|you)\b", re.IGNORECASE)
_PUNCTUATED = re.compile(r"[,;]|\.\s*$")
_WORD = re.compile(r"[A-Za-z0-9][A-Za-z0-9'’_-]*")
_FENCE = re.compile(r"^\s*(```|~~~)")


@dataclass(slots=True)
class Blocks:
    """Per line (0-based, as `Tok.line`): its kind and the role of its section."""

    kinds: list[str]  # heading | meta | table_header | table_sep | table_row | code | text
    roles: list[str]  # the section role the line is in (design, background, ...)
    headings: dict[int, str] = field(default_factory=dict)  # line -> heading text
    # line -> the first line of the labelled paragraph ('History: ...') whose role it has
    labelled: dict[int, int] = field(default_factory=dict)

    def skipped(self, line: int) -> bool:
        """Is the line no statement about the design (a heading, metadata, a table header)?"""
        return self.kinds[line] in ("heading", "meta", "table_header", "table_sep")

    def role(self, line: int) -> str:
        return self.roles[line] if 0 <= line < len(self.roles) else "design"

    def row(self, line: int) -> bool:
        """Is the line a markdown table's body row?"""
        return 0 <= line < len(self.kinds) and self.kinds[line] == "table_row"


class SectionRoles:
    """The section-role lexicon: heading words -> role; metadata keys."""

    def __init__(self, rows: tuple[SectionRow, ...]) -> None:
        self._phrases = sorted(
            (
                (tuple(r.pattern.lower().split()), r.role)
                for r in rows
                if r.role not in ("meta", "document")
            ),
            key=lambda p: -len(p[0]),
        )
        self._meta = frozenset(r.pattern.lower() for r in rows if r.role == "meta")
        self._documents = frozenset(r.pattern.lower() for r in rows if r.role == "document")
        # each phrase -> its rank in `_phrases` (the first listed wins), looked up by n-gram
        self._rank: dict[tuple[str, ...], int] = {}
        for rank, (phrase, _) in enumerate(self._phrases):
            self._rank.setdefault(phrase, rank)
        self._lengths = sorted({len(phrase) for phrase in self._rank})

    def role_of(self, heading: str) -> str | None:
        """The role a heading gives its section ('Alternatives considered' -> alternatives):
        the first phrase in `_phrases` the heading holds, found by its n-grams."""
        words = [w.lower() for w in _WORD.findall(heading)]
        ranks = [
            rank
            for n in self._lengths
            for i in range(len(words) - n + 1)
            if (rank := self._rank.get(tuple(words[i : i + n]))) is not None
        ]
        return self._phrases[min(ranks)][1] if ranks else None

    def label_role(self, label: str) -> str | None:
        """The role a paragraph's label gives it ('Follow-ups: ...', 'Open questions for v2:
        ...'): a phrase the label opens with; 'No-show follow-ups: every evening we ...'
        names the flow, not a section."""
        words = tuple(w.lower() for w in _WORD.findall(label))
        for phrase, role in self._phrases:  # longest first
            if words[: len(phrase)] == phrase:
                return role
        return None

    def is_meta(self, key: str) -> bool:
        return key.strip().lower() in self._meta

    def names_document(self, line: str) -> bool:
        """Does the line open with a document's numbered id ('PR #77:', '## ADR-031:',
        'Issue 12 —')? Then it is the document's title."""
        m = _DOCUMENT_ID.match(line)
        return m is not None and m.group(1).lower() in self._documents

    def labels_document(self, line: str) -> bool:
        """Does the line open with a document's kind and a colon, with no number ('PR: add
        Segment fan-out', 'RFC: retire the v1 queue')? As a text's first line, followed by
        more lines and not ended as a sentence, that is the document's title."""
        m = _DOCUMENT_LABEL.match(line)
        return m is not None and m.group(1).lower() in self._documents


# "PR: add ...", "## RFC: ...": a document kind and a colon, then the title
_DOCUMENT_LABEL = re.compile(r"^\s*(?:#+\s*)?\**([A-Za-z]+)\**\s*:\s+\S")
# "PR #77:", "ADR-031:", "Issue 12 —": a document kind, its number, then the title
_DOCUMENT_ID = re.compile(r"^\s*(?:#+\s*)?([A-Za-z]+)[\s#-]*\d+\s*[:\u2014\u2013-]")


def read_blocks(text: str, roles: SectionRoles) -> Blocks:
    lines = text.split("\n")
    kinds = ["text"] * len(lines)
    headings: dict[int, str] = {}
    _mark_code(lines, kinds)
    _mark_tables(lines, kinds)
    for n, line in enumerate(lines):
        if kinds[n] != "text":
            continue
        heading = _heading(lines, n)
        if heading is not None:
            kinds[n] = "heading"
            headings[n] = heading
        elif _is_meta(line, roles):
            kinds[n] = "meta"
        elif n + 1 < len(lines) and _SETEXT.match(lines[n + 1]) and line.strip():
            kinds[n], kinds[n + 1] = "heading", "heading"
            headings[n] = line.strip()
    title = _title(lines, kinds, roles)
    if title is not None:
        kinds[title] = "heading"  # a title names the whole text: it opens no section
    section_roles: list[str] = []
    current = "design"
    for n in range(len(lines)):
        if n in headings and n != title:
            found = roles.role_of(headings[n])
            current = found or "design"  # a new heading ends the previous section
        section_roles.append(current)
    labelled = _label_paragraphs(lines, kinds, section_roles, roles)
    return Blocks(kinds, section_roles, headings, labelled)


def _label_paragraphs(
    lines: list[str], kinds: list[str], section_roles: list[str], roles: SectionRoles
) -> dict[int, int]:
    """'Motivation: the holiday incident, where ...' then 'Flow: (1) ...': a paragraph led
    by a section word and a colon is a section of its own, up to a blank line or the next
    label; only a role other than the design's changes how it reads. Returns each such
    line's paragraph (its first line): a labelled paragraph can return to the design
    within itself (`layout.clauses`), a section under a heading cannot."""
    role: str | None = None
    first = 0
    labelled: dict[int, int] = {}
    for n, line in enumerate(lines):
        label = _META.match(line) if kinds[n] == "text" else None
        if not line.strip() or kinds[n] == "heading":
            role = None
        elif label is not None:
            found = roles.label_role(label.group("key"))
            role = found if found not in (None, "design", "meta") else None
            first = n
        if role is not None:
            section_roles[n] = role
            labelled[n] = first
    return labelled


def _mark_code(lines: list[str], kinds: list[str]) -> None:
    inside = False
    for n, line in enumerate(lines):
        if _FENCE.match(line):
            kinds[n] = "code"
            inside = not inside
        elif inside:
            kinds[n] = "code"


def _mark_tables(lines: list[str], kinds: list[str]) -> None:
    for n, line in enumerate(lines):
        if kinds[n] != "text" or not _TABLE_SEP.match(line) or "-" not in line:
            continue
        if n > 0 and _TABLE_ROW.match(lines[n - 1]):
            kinds[n - 1] = "table_header"
            kinds[n] = "table_sep"
            k = n + 1
            while k < len(lines) and _TABLE_ROW.match(lines[k]):
                kinds[k] = "table_row"
                k += 1


def _heading(lines: list[str], n: int) -> str | None:
    line = lines[n]
    atx = _ATX.match(line)
    if atx is not None:
        words = _WORD.findall(atx.group("text"))
        # "## How it works", "### What it does": a pronoun is no sign of a comment after two
        # or more hashes, which no config comment is written with
        like = _PUNCTUATED if len(atx.group(1)) >= 2 else _SENTENCE_LIKE
        if len(words) <= 14 and not like.search(atx.group("text")):
            return atx.group("text")
        return None
    bold = _BOLD_LINE.match(line)
    if bold is not None and len(_WORD.findall(bold.group("text"))) <= 10:
        return bold.group("text")
    return None


def _is_meta(line: str, roles: SectionRoles) -> bool:
    match = _META.match(line)
    return match is not None and roles.is_meta(match.group("key"))


def _kind_and_subject(line: str) -> bool:
    """A first heading of the form 'kind: subject' ('# Incident review: ex-employee kept
    GitHub access for 11 days', '## Design: dunning emails') titles the whole text; its kind
    word opens no section of that role."""
    atx = _ATX.match(line)
    if atx is None or len(atx.group(1)) > 2:
        return False
    kind, colon, subject = atx.group("text").partition(":")
    return bool(colon) and 1 <= len(_WORD.findall(kind)) <= 3 and len(_WORD.findall(subject)) >= 2


def _title(lines: list[str], kinds: list[str], roles: SectionRoles) -> int | None:
    """The first non-empty line, when it is a title of a longer text (see the docstring)."""
    first = next((n for n, line in enumerate(lines) if line.strip()), None)
    if first is not None and kinds[first] == "heading" and _kind_and_subject(lines[first]):
        return first  # "## Incident review: ex-employee kept GitHub access": the text's title
    if first is None or kinds[first] != "text":
        return None
    rest = [line for line in lines[first + 1 :] if line.strip()]
    if not rest:
        return None
    line = lines[first].strip()
    if roles.names_document(line):
        return first  # "PR #77: add Twilio Verify to signup-svc": what the change is called
    if roles.labels_document(line) and not line.endswith((".", "!", "?", ";")):
        return first  # "PR: add Intercom + Segment fan-out to the signup service"
    words = _WORD.findall(line)
    if not 1 <= len(words) <= 12 or _SENTENCE_LIKE.search(line) or line.endswith((":", "?")):
        return None
    if not (line[:1].isupper() or line[:1].isdigit()):
        return None  # chat relays start lower-case: "stripe -> hubspot, nightly"
    following_blank = first + 1 < len(lines) and not lines[first + 1].strip()
    return first if following_blank else None
