"""Find the JSON and YAML in a design document, and parse it with locations.

A document is structured in one of two ways:

- fenced blocks (```json, ```yaml, ```yml; ~~~ fences too) inside Markdown prose, or an untagged
  fence whose content looks like JSON or like a known YAML format;
- the whole text, when the document has no fenced block at all: JSON when it starts with `{`
  (or `[` followed by a JSON value), YAML when a line starts with a top-level key of a format
  the Prover knows (`StartAt:`, `nodes:`, `steps:` ...).

A block is *declared* when its author said it is JSON or YAML (a tagged fence, a whole text
that starts like JSON, or a file name the caller passes as a hint). Only a declared block that
fails to parse is an error worth reporting: any prose is valid YAML or invalid YAML by accident.

Every offset here is a character offset into the original text, so evidence, line numbers and
JSON pointers line up with what the author wrote.
"""

from __future__ import annotations

import json
import re
import tomllib
from dataclasses import dataclass
from typing import Literal

import yaml

from workflow_prover.schemas.locate import Loc, json_locations, yaml_document
from workflow_prover.schemas.toml_doc import looks_like_toml, toml_document

Syntax = Literal["json", "yaml"]
BlockSyntax = Literal["json", "yaml", "toml", "python"]  # a block's language (code: `schemas.code`)

_FENCE_OPEN = re.compile(r"^ {0,3}(`{3,}|~{3,})[ \t]*([^\s`{]*)[^\n`]*$")
_TAGS: dict[str, BlockSyntax] = {
    "json": "json",
    "jsonc": "json",
    "yaml": "yaml",
    "yml": "yaml",
    "toml": "toml",
}
_JSON_START = re.compile(r"\s*(?:\{|\[\s*[\[{\"\]])")
# Top-level keys of the formats the Prover reads: enough to try a YAML parse of a whole text.
_YAML_KEYS = re.compile(
    r"^(?:StartAt|States|nodes|connections|steps|Definition|AWSTemplateFormatVersion|Resources"
    r"|stepFunctions|tasks|jobs|activities|workflow|pipeline)\s*:",
    re.M,
)


@dataclass(frozen=True, slots=True)
class Block:
    """A candidate JSON or YAML document inside a text."""

    start: int  # the content, without its fence lines
    end: int
    syntax: BlockSyntax
    declared: bool
    outer_start: int  # with its fence lines: what is hidden from the prose reader
    outer_end: int

    @property
    def whole(self) -> bool:
        return self.outer_start == self.start and self.outer_end == self.end


@dataclass(frozen=True, slots=True)
class Parsed:
    block: Block
    value: object
    locs: dict[str, Loc]  # JSON pointer -> location
    source: str = ""  # the whole text the block is in (locations are offsets into it)


@dataclass(frozen=True, slots=True)
class ParseError:
    """Why a block is not valid JSON/YAML, where (1-based line and column in the whole text)."""

    block: Block
    offset: int
    line: int
    column: int
    message: str

    def describe(self) -> str:
        return (
            f"invalid {self.block.syntax.upper()} at line {self.line}, column {self.column}: "
            f"{self.message}"
        )


def find_blocks(text: str, hint: Syntax | None = None) -> list[Block]:
    """The candidate blocks of `text`, in order. `hint` declares the whole text's syntax."""
    if hint is not None:
        return [Block(0, len(text), hint, True, 0, len(text))]
    fenced, any_fence = _fenced(text)
    if any_fence:
        return fenced
    if _JSON_START.match(text):
        return [Block(0, len(text), "json", True, 0, len(text))]
    if _YAML_KEYS.search(text):
        return [Block(0, len(text), "yaml", False, 0, len(text))]
    if looks_like_toml(text):  # "[job]\nname = ..." then "[[step]]" tables
        return [Block(0, len(text), "toml", False, 0, len(text))]
    return []


def _fenced(text: str) -> tuple[list[Block], bool]:
    """Fenced JSON/YAML blocks, and whether the text has any fence at all (it is Markdown)."""
    blocks: list[Block] = []
    any_fence = False
    lines = text.splitlines(keepends=True)
    offsets = [0]
    for line in lines:
        offsets.append(offsets[-1] + len(line))
    i = 0
    while i < len(lines):
        match = _FENCE_OPEN.match(lines[i].rstrip("\r\n"))
        if match is None:
            i += 1
            continue
        any_fence = True
        fence, tag = match.group(1), match.group(2).lower()
        close = re.compile(rf"^ {{0,3}}{re.escape(fence[0])}{{{len(fence)},}}[ \t]*$")
        j = i + 1
        while j < len(lines) and not close.match(lines[j].rstrip("\r\n")):
            j += 1
        start, end = offsets[i + 1], offsets[j] if j < len(lines) else len(text)
        outer_end = offsets[j + 1] if j < len(lines) else len(text)
        block = _fenced_block(text, tag, start, end, offsets[i], outer_end)
        if block is not None:
            blocks.append(block)
        i = j + 1
    return blocks, any_fence


def _fenced_block(
    text: str, tag: str, start: int, end: int, outer_start: int, outer_end: int
) -> Block | None:
    content = text[start:end]
    if tag in _TAGS:
        return Block(start, end, _TAGS[tag], True, outer_start, outer_end)
    if tag:
        return None  # another language: python, mermaid, text...
    if _JSON_START.match(content):
        return Block(start, end, "json", False, outer_start, outer_end)
    if _YAML_KEYS.search(content):
        return Block(start, end, "yaml", False, outer_start, outer_end)
    if looks_like_toml(content):
        return Block(start, end, "toml", False, outer_start, outer_end)
    return None


def parse_block(text: str, block: Block) -> Parsed | ParseError:
    """The block's value and locations, or where and why it does not parse."""
    content = text[block.start : block.end]
    try:
        if block.syntax == "json":
            value = json.loads(content)
            locs = json_locations(content, block.start)
        elif block.syntax == "toml":
            value, locs = toml_document(content, block.start)
        else:
            value, locs = yaml_document(content, block.start)
    except json.JSONDecodeError as exc:
        return _error(text, block, block.start + exc.pos, exc.msg)
    except tomllib.TOMLDecodeError as exc:
        return _error(text, block, block.start, str(exc).split(" (at ")[0])
    except yaml.YAMLError as exc:
        return _error(text, block, block.start + _yaml_offset(exc), _yaml_message(exc))
    except RecursionError:
        return _error(text, block, block.start, "the document is nested too deeply")
    return Parsed(block, value, locs, text)


def _error(text: str, block: Block, offset: int, message: str) -> ParseError:
    offset = min(max(offset, 0), len(text))
    line, column = line_column(text, offset)
    return ParseError(block, offset, line, column, message)


def line_column(text: str, offset: int) -> tuple[int, int]:
    """1-based line and column (in characters) of `offset` in `text`."""
    line_start = text.rfind("\n", 0, offset) + 1
    return text.count("\n", 0, offset) + 1, offset - line_start + 1


def _yaml_offset(exc: yaml.YAMLError) -> int:
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    if mark is not None:
        return int(mark.index)
    return int(getattr(exc, "position", 0) or 0)


def _yaml_message(exc: yaml.YAMLError) -> str:
    """The parser's problem in its own words, without the snippet of the document it quotes."""
    problem = getattr(exc, "problem", None)
    context = getattr(exc, "context", None)
    if isinstance(exc, yaml.reader.ReaderError):
        return "the text contains a character YAML does not allow"
    parts = [str(p) for p in (problem, context) if p]
    return "; ".join(parts) or type(exc).__name__
