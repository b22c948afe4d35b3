"""Where each element of a JSON or YAML document is: JSON pointer -> character span.

`json` and `yaml.safe_load` give values without positions. For JSON, the text is first parsed
by `json.loads` (the authority on validity and on error messages) and then walked again here,
trusting its structure, to record spans. For YAML, the composed node tree carries marks; the
value is constructed from the same tree, so the text is parsed once.

A `Loc` holds the value's span and, for an object member, where its key starts: evidence for
`"BackoffRate": 1` quotes the key and the value.

YAML's local tags (CloudFormation's short forms `!Ref X`, `!GetAtt A.B`, `!Sub "..."`, and any
other `!Name`) are read as opaque values in their long form (`{"Ref": "X"}`,
`{"Fn::GetAtt": "A.B"}`, `{"Fn::Sub": "..."}`), so a SAM template parses like its JSON twin.
Global tags outside YAML's core schema (`!!python/object`) are still refused.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

import yaml

MAX_DEPTH = 200
MAX_NODES = 200_000  # YAML aliases can make a small text a huge tree: stop walking there

_WS = re.compile(r"[ \t\n\r]*")
_DECODER = json.JSONDecoder()


@dataclass(frozen=True, slots=True)
class Loc:
    start: int
    end: int
    key_start: int | None = None

    @property
    def member_start(self) -> int:
        return self.start if self.key_start is None else self.key_start


def escape(token: str) -> str:
    """One JSON pointer reference token (RFC 6901)."""
    return token.replace("~", "~0").replace("/", "~1")


def json_locations(text: str, base: int = 0) -> dict[str, Loc]:
    """Spans of every element of a valid JSON text, offset by `base`."""
    locs: dict[str, Loc] = {}

    def skip(i: int) -> int:
        match = _WS.match(text, i)
        return match.end() if match else i

    def value(i: int, pointer: str, key_start: int | None, depth: int) -> int:
        if depth > MAX_DEPTH:
            raise RecursionError
        i = skip(i)
        char = text[i]
        if char == "{":
            end = _container(i, "}", pointer, depth, member=True)
        elif char == "[":
            end = _container(i, "]", pointer, depth, member=False)
        else:  # a string, number or literal: the decoder says where it ends
            end = _DECODER.raw_decode(text, i)[1]
        key = None if key_start is None else base + key_start
        locs[pointer] = Loc(base + i, base + end, key)
        return end

    def _container(i: int, close: str, pointer: str, depth: int, member: bool) -> int:
        j = skip(i + 1)
        if text[j] == close:
            return j + 1
        index = 0
        while True:
            j = skip(j)
            if member:
                key, k = _DECODER.raw_decode(text, j)
                k = skip(k) + 1  # the ':'
                k = value(k, f"{pointer}/{escape(key)}", j, depth + 1)
            else:
                k = value(j, f"{pointer}/{index}", None, depth + 1)
                index += 1
            k = skip(k)
            if text[k] == close:
                return k + 1
            j = k + 1  # the ','

    value(0, "", None, 0)
    return locs


class _TagLoader(yaml.SafeLoader):
    """`yaml.SafeLoader` that reads a local tag (`!Ref`, `!Sub`...) as its long form."""


def _long_form(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> dict[str, object]:
    value: object
    if isinstance(node, yaml.ScalarNode):
        value = loader.construct_scalar(node)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        assert isinstance(node, yaml.MappingNode)
        value = loader.construct_mapping(node, deep=True)
    name = suffix if suffix in ("Ref", "Condition") else f"Fn::{suffix}"
    return {name: value}


_TagLoader.add_multi_constructor("!", _long_form)

_FAST = getattr(yaml, "CSafeLoader", None)  # libyaml's parser, when PyYAML was built with it
if _FAST is not None:

    class _FastTagLoader(_FAST):  # type: ignore[misc,valid-type]
        """libyaml's parser with the same tags, constructors and resolver as `_TagLoader`."""

    _FastTagLoader.add_multi_constructor("!", _long_form)
# the fast parser only where it reads as the Python one: ASCII (libyaml's marks count bytes),
# shallow (no recursion limit can be met by one and not the other), and parsing; an error is
# read again by the Python parser, whose message and mark the notes quote
_FAST_LINES = 100


def _fast(text: str) -> bool:
    return (
        _FAST is not None
        and text.isascii()
        and text.count("\n") + text.count("[") + text.count("{") < _FAST_LINES
    )


def yaml_document(text: str, base: int = 0) -> tuple[object, dict[str, Loc]]:
    """The value of a single-document YAML text and the spans of its elements.

    A short ASCII text is parsed by libyaml (about ten times as fast as PyYAML's own parser,
    the same nodes and marks: `tests/test_yaml_fast.py`); anything it refuses is parsed again
    by the Python parser, so errors read as they always did."""
    if _fast(text):
        try:
            return _document(_FastTagLoader(text), text, base)
        except yaml.YAMLError:
            pass
    return _document(_TagLoader(text), text, base)


def _document(loader: yaml.SafeLoader, text: str, base: int) -> tuple[object, dict[str, Loc]]:
    try:
        node = loader.get_single_node()
        if node is None:
            return None, {}
        value = loader.construct_document(node)
    finally:
        loader.dispose()
    locs: dict[str, Loc] = {}
    budget = [MAX_NODES]
    _walk_yaml(text, node, "", None, base, locs, budget, 0)
    return value, locs


def _walk_yaml(
    text: str,
    node: yaml.Node,
    pointer: str,
    key_start: int | None,
    base: int,
    locs: dict[str, Loc],
    budget: list[int],
    depth: int,
) -> None:
    budget[0] -= 1
    if budget[0] < 0 or depth > MAX_DEPTH:
        return
    start, end = node.start_mark.index, node.end_mark.index
    while end > start and text[end - 1] in " \t\r\n":
        end -= 1
    locs[pointer] = Loc(base + start, base + end, None if key_start is None else base + key_start)
    if isinstance(node, yaml.MappingNode):
        for key, item in node.value:
            name = str(key.value) if isinstance(key, yaml.ScalarNode) else "?"
            _walk_yaml(
                text,
                item,
                f"{pointer}/{escape(name)}",
                key.start_mark.index,
                base,
                locs,
                budget,
                depth + 1,
            )
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _walk_yaml(text, item, f"{pointer}/{index}", None, base, locs, budget, depth + 1)
