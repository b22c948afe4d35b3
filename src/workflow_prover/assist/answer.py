"""The model's answer: JSON (bare, or in a fenced block), read item by item.

The shape the system prompt asks for:

    {"steps":  [{"quote": "...", "action": "read|write", "service": "..."}],
     "claims": [{"kind": "<a Report claim kind>", "quote": "...",
                 "modality": "asserted|negated|planned|question|hypothetical",
                 "service": "<optional>", "step_quote": "<optional>"}]}

The answer as a whole must parse (else the Prover falls back to the rules' report); one item
that does not fit its schema is rejected on its own, with its reason, and the others are still
read: a model that gets one field wrong should not lose the rest of its reading. An unknown
claim kind is rejected later, by grounding, so that it is counted like every other refusal.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError

__all__ = [
    "MAX_ITEMS",
    "AnswerClaim",
    "AnswerError",
    "AnswerStep",
    "ParsedAnswer",
    "parse_answer",
    "parse_answer_object",
]

AnswerModality = Literal["asserted", "negated", "planned", "question", "hypothetical"]
MAX_ITEMS = 200  # per list: a longer answer is cut (and the cut counted), never read whole
_FENCE = re.compile(r"```[A-Za-z0-9_-]*[ \t]*\n(.*?)```", re.DOTALL)
_MAX_FIELD = 2_000


class _Item(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)


_T = TypeVar("_T", bound=_Item)


class AnswerStep(_Item):
    quote: str = Field(min_length=1, max_length=_MAX_FIELD)
    action: Literal["read", "write"]
    service: str = Field(min_length=1, max_length=200)


class AnswerClaim(_Item):
    kind: str = Field(min_length=1, max_length=64)
    modality: AnswerModality
    quote: str = Field(min_length=1, max_length=_MAX_FIELD)
    service: str | None = Field(default=None, max_length=200)
    step_quote: str | None = Field(default=None, max_length=_MAX_FIELD)


class _Envelope(BaseModel):
    """The answer's top level: only these two lists (each item is checked on its own)."""

    model_config = ConfigDict(extra="forbid")

    steps: list[Any] = Field(default_factory=list)
    claims: list[Any] = Field(default_factory=list)


class AnswerError(ValueError):
    """The answer cannot be read at all; the message says why, without repeating it."""


@dataclass(frozen=True)
class ParsedAnswer:
    steps: tuple[AnswerStep, ...]
    claims: tuple[AnswerClaim, ...]
    rejected: tuple[str, ...]  # items that did not fit their schema, with why

    def to_json(self) -> dict[str, Any]:
        """The items read, as the model's own JSON (what an answers file records)."""
        return {
            "steps": [s.model_dump() for s in self.steps],
            "claims": [c.model_dump(exclude_none=True) for c in self.claims],
        }


def parse_answer(text: str) -> ParsedAnswer:
    """The answer in `text`: the first fenced block that parses, else the whole text, else
    the outermost {...} in it (models often add a sentence around the JSON)."""
    for candidate in _candidates(text):
        try:
            data = json.loads(candidate)
        except ValueError:
            continue
        return parse_answer_object(data)
    raise AnswerError("the answer is not JSON")


def parse_answer_object(data: object) -> ParsedAnswer:
    """Read an answer already decoded from JSON (a recorded answer)."""
    if not isinstance(data, dict):
        raise AnswerError("the answer is not a JSON object")
    try:
        envelope = _Envelope.model_validate(data)
    except ValidationError as exc:
        fields = sorted({str(e["loc"][0]) for e in exc.errors() if e["loc"]})
        raise AnswerError(
            "the answer has fields other than 'steps' and 'claims' lists: " + ", ".join(fields)
        ) from None
    rejected: list[str] = []
    steps = _items(envelope.steps, AnswerStep, "step", rejected)
    claims = _items(envelope.claims, AnswerClaim, "claim", rejected)
    return ParsedAnswer(tuple(steps), tuple(claims), tuple(rejected))


def _candidates(text: str) -> list[str]:
    out = [m.group(1) for m in _FENCE.finditer(text)]
    out.append(text)
    first, last = text.find("{"), text.rfind("}")
    if 0 <= first < last:
        out.append(text[first : last + 1])
    return out


def _items(raw: list[Any], model: type[_T], name: str, rejected: list[str]) -> list[_T]:
    out: list[_T] = []
    for number, item in enumerate(raw[:MAX_ITEMS], start=1):
        try:
            out.append(model.model_validate(item))
        except ValidationError as exc:
            rejected.append(f"{name} {number}: {_why(exc)}")
    if len(raw) > MAX_ITEMS:
        rejected.append(f"{len(raw) - MAX_ITEMS} {name}s beyond the first {MAX_ITEMS}: not read")
    return out


def _why(exc: ValidationError) -> str:
    """Which fields are wrong, never the values (they are the model's words)."""
    parts = []
    for error in exc.errors()[:3]:
        where = ".".join(str(p) for p in error["loc"]) or "item"
        parts.append(f"{where} {_KINDS.get(error['type'], 'is invalid')}")
    return "; ".join(parts)


_KINDS = {
    "missing": "is missing",
    "extra_forbidden": "is not a field of the answer",
    "literal_error": "has a value the answer does not allow",
    "string_type": "is not a string",
    "string_too_short": "is empty",
    "string_too_long": "is too long",
    "model_type": "is not an object",
    "dict_type": "is not an object",
}
