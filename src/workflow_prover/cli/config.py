"""The configuration file: `[tool.workflow-prover]` in `pyproject.toml`, or a
`.workflow-prover.toml` (its keys at the top level).

Found from the working directory upwards: the first directory with a `.workflow-prover.toml`,
or a `pyproject.toml` that has the table, wins (in one directory, `.workflow-prover.toml`
first); `--config PATH` names the file instead, `--isolated` reads none. Paths in it
(`include`, `exclude`, `baseline`) are relative to the file's directory. A key the file does
not know is an error naming it, so a typo never silently does nothing. Command-line flags win
over the file (`settings`).
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictStr, ValidationError

from workflow_prover.cli.gate import FailOn
from workflow_prover.cli.inputs import UsageError, display_name

DOTFILE = ".workflow-prover.toml"
PYPROJECT = "pyproject.toml"
TABLE = ("tool", "workflow-prover")


class FileConfig(BaseModel):
    """The keys a configuration file may set (hyphenated, as in TOML)."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=False)

    ignore: list[StrictStr] = Field(default_factory=list)
    strict: StrictBool | None = None
    fail_on: FailOn | None = Field(default=None, alias="fail-on")
    format: StrictStr | None = None
    include: list[StrictStr] = Field(default_factory=list)
    exclude: list[StrictStr] = Field(default_factory=list)
    baseline: StrictStr | None = None


@dataclass(frozen=True)
class Config:
    """A configuration file read: where it is (for its relative paths) and what it sets."""

    path: Path
    values: FileConfig

    @property
    def root(self) -> Path:
        return self.path.parent


def discover(start: Path) -> Path | None:
    """The configuration file that applies in `start`: the nearest, upwards."""
    for folder in (start, *start.parents):
        dotfile = folder / DOTFILE
        if dotfile.is_file():
            return dotfile
        pyproject = folder / PYPROJECT
        if pyproject.is_file() and _table(pyproject, _read(pyproject)) is not None:
            return pyproject
    return None


def load(path: Path) -> Config:
    """Read and check one configuration file (a usage error names the file and the key)."""
    data = _read(path)
    table = _table(path, data)
    where = f"{display_name(str(path))}: [{'.'.join(TABLE)}]" if _is_pyproject(path) else None
    shown = where or display_name(str(path))
    try:
        values = FileConfig.model_validate(table or {})
    except ValidationError as exc:
        raise UsageError(f"{shown}: {_problem(exc)}") from None
    return Config(path=path, values=values)


def find(explicit: str | None, isolated: bool, cwd: Path) -> Config | None:
    """The configuration of a run: `--config PATH`, else the discovered one, else none."""
    if explicit is not None and isolated:
        raise UsageError("--config and --isolated cannot be given together")
    if isolated:
        return None
    if explicit is not None:
        path = Path(explicit)
        if not path.is_file():
            raise UsageError(f"{display_name(explicit)}: no such configuration file")
        return load(path)
    found = discover(cwd)
    # named relative to the working directory, as a FILE is (`../pyproject.toml`)
    return load(Path(os.path.relpath(found, cwd))) if found is not None else None


def _is_pyproject(path: Path) -> bool:
    return path.name == PYPROJECT


def _read(path: Path) -> dict[str, Any]:
    shown = display_name(str(path))
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except tomllib.TOMLDecodeError as exc:
        raise UsageError(f"{shown}: invalid TOML: {exc}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"{shown}: cannot read: {type(exc).__name__}") from None


def _table(path: Path, data: dict[str, Any]) -> dict[str, Any] | None:
    """The Prover's table: `[tool.workflow-prover]` of a pyproject.toml, else the whole file."""
    if not _is_pyproject(path):
        return data
    table: Any = data
    for key in TABLE:
        table = table.get(key) if isinstance(table, dict) else None
    if table is not None and not isinstance(table, dict):
        raise UsageError(f"{display_name(str(path))}: [{'.'.join(TABLE)}] must be a table")
    return table


_EXPECTED: dict[str, str] = {
    "bool_type": "expected true or false",
    "string_type": "expected a string",
    "list_type": "expected a list of strings",
    "literal_error": "expected one of: blocker, warning, never",
}


def _problem(exc: ValidationError) -> str:
    """The first problem, on one line, naming the key (and never echoing a long value)."""
    first = exc.errors()[0]
    key = ".".join(str(part) for part in first["loc"]) or "(file)"
    kind = first["type"]
    if kind == "extra_forbidden":
        return f"unknown key {key[:60]!r}"
    return f"{key}: {_EXPECTED.get(kind, 'invalid value')}"
