"""An accepted assisted reading, located: what a session stores with the turn that asked.

Each item keeps the model's fields and where its quote was found (turn, and character offsets
into that turn's redacted text), so a session read again (after a restart, or with a later
turn that happens to repeat the words) grounds exactly the same items at exactly the same
places, without asking the model again. Only words of the redacted text are kept: every quote
was found in it, and every service named in it.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from workflow_prover.assist.answer import AnswerModality

__all__ = ["AssistedReading", "At", "StoredClaim", "StoredStep"]


class _Stored(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class At(_Stored):
    """Where a quote is: turn (1-based) and offsets into its redacted text."""

    turn: int = Field(ge=1)
    start: int = Field(ge=0)
    end: int = Field(ge=0)


class StoredStep(_Stored):
    quote: str
    action: Literal["read", "write"]
    service: str
    at: At


class StoredClaim(_Stored):
    kind: str
    modality: AnswerModality
    quote: str
    service: str | None = None
    step_quote: str | None = None
    at: At
    step_at: At | None = None


class AssistedReading(_Stored):
    """The items of one answer that the Prover accepted, and the model that gave them."""

    model: str | None = None
    steps: tuple[StoredStep, ...] = ()
    claims: tuple[StoredClaim, ...] = ()

    @property
    def size(self) -> int:
        return len(self.steps) + len(self.claims)

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = self.model_dump(mode="json")
        return data
