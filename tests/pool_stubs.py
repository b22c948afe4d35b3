"""Analyzer stubs for the worker-process pool's tests, in a module of their own: a worker
process imports it to unpickle the factory, and it imports nothing heavy."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any


class Payload:
    """What a stub's `analyze_turns` returns: enough of a Report for the pool."""

    def __init__(self, text: str) -> None:
        self.text = text

    def model_dump(self, mode: str = "python") -> dict[str, Any]:
        return {"verdict": "UNDERSPECIFIED", "message": self.text}


class Spinning:
    """Spins (CPU-bound, never yielding) on a text with SPIN; answers anything else at once."""

    def redact(self, text: str) -> str:
        return text

    def analyze_turns(self, turns: Sequence[str], *, strict: bool = False) -> Payload:
        while "SPIN" in turns[-1]:
            pass
        return Payload(turns[-1])


def spinning_analyzer() -> Spinning:
    return Spinning()
