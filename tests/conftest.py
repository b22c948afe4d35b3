"""Shared fixtures: one Analyzer per test session (building the pipeline takes ~2 s)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from workflow_prover.analyzer import Analyzer

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"


@pytest.fixture(scope="session")
def analyzer() -> Analyzer:
    return Analyzer()


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


def fixture_cases(name: str) -> Iterator[dict[str, object]]:
    """Rows of a labelled fixture file (the dev set's JSONL format)."""
    for line in (FIXTURES / name).read_text(encoding="utf-8").splitlines():
        if line.strip():
            yield json.loads(line)


def fixture_texts(*names: str) -> list[str]:
    """The texts of the single-text cases of the named fixture files, in order (the
    fast-path tests compare a fast path with the slow one over the dev and gen2 texts)."""
    return [
        row["text"]
        for name in names
        for row in fixture_cases(name)
        if isinstance(row.get("text"), str)
    ]
