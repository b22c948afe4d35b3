"""The hot modules compiled with mypyc (`scripts/compile.py`), and when the package ignores them.

`make setup` compiles extract/, annotate/, graph/, checks/ and verdict.py in place: each
`extract/reading.py` gets an `extract/reading.cpython-311-....so` beside it, which Python imports
first, and the compiled code itself lives in one shared library, `compiled__mypyc....so`. Compiled
or not, the package behaves the same; compiled, `analyze()` is about twice as fast.

A build is good only for the sources it was made from: compiled modules call each other's
compiled code directly and copy in the constants and class layouts of every module they import,
compiled or not. So the build records every `.py` of the package (`compiled.json`), and when one
of them differs from the build (an edit, a checkout, a deleted file), or a built file is not the
one recorded, the whole package is imported from its `.py` files, with one line on stderr saying
so (`make setup` rebuilds). `WORKFLOW_PROVER_PURE_PYTHON=1` does the same, without the line.
This module is never compiled itself.
"""

from __future__ import annotations

import importlib.machinery
import json
import os
import sys
from collections.abc import Sequence
from importlib.machinery import ModuleSpec
from pathlib import Path
from types import ModuleType
from typing import Final

PACKAGE: Final = Path(__file__).resolve().parent
MANIFEST: Final = "compiled.json"  # in the package directory
SHARED_LIBRARY: Final = "compiled__mypyc"  # mypyc's name for the group `workflow_prover.compiled`
PURE_PYTHON: Final = "WORKFLOW_PROVER_PURE_PYTHON"

# per file (relative to the package): [st_mtime_ns, st_size, sha256 of the content]
Files = dict[str, list[int | str]]


def _digest(path: Path) -> str:
    import hashlib  # (here: loading OpenSSL would be most of the guard's import time)

    return hashlib.sha256(path.read_bytes()).hexdigest()


def _files(package: Path, paths: Sequence[Path]) -> Files:
    stats = {p.relative_to(package).as_posix(): (p, p.stat()) for p in paths}
    return {name: [s.st_mtime_ns, s.st_size, _digest(p)] for name, (p, s) in stats.items()}


def built_files(package: Path = PACKAGE) -> list[Path]:
    """The compiled files in the package (for any Python version)."""
    return sorted(package.rglob("*.so")) + sorted(package.rglob("*.pyd"))


def write_manifest(modules: Sequence[str], package: Path = PACKAGE) -> None:
    """Record the build just made: its modules, every source of the package and the built files.
    (Written last, by scripts/compile.py: without it, built files are never used.)"""
    manifest = {
        "modules": list(modules),
        "sources": _files(package, sorted(package.rglob("*.py"))),
        "built": _files(package, built_files(package)),
    }
    temporary = package / (MANIFEST + ".tmp")
    temporary.write_text(json.dumps(manifest, indent=0, sort_keys=True) + "\n", encoding="utf-8")
    temporary.replace(package / MANIFEST)


def _differs(path: Path, recorded: list[int | str]) -> bool:
    """Has the file changed since it was recorded? Its content decides: a checkout that writes
    the same bytes again changes the file's time, not the build."""
    try:
        stat = path.stat()
    except OSError:
        return True
    if [stat.st_mtime_ns, stat.st_size] == recorded[:2]:
        return False
    return stat.st_size != recorded[1] or _digest(path) != recorded[2]


def _first_change(package: Path, files: Files) -> str | None:
    return next((name for name, rec in files.items() if _differs(package / name, rec)), None)


def _read(package: Path) -> tuple[list[str], Files, Files] | None:
    try:
        manifest = json.loads((package / MANIFEST).read_text(encoding="utf-8"))
        return manifest["modules"], manifest["sources"], manifest["built"]
    except (OSError, ValueError, KeyError, TypeError):
        return None


def stale_reason(package: Path = PACKAGE) -> str | None:
    """Why the compiled modules must not be used; None when there are none, or when they are
    the build recorded and every source is the one they were compiled from."""
    if not (package / MANIFEST).exists():
        if any(package.glob(f"{SHARED_LIBRARY}.*")):
            return "compiled modules without a record of their build"
        return None
    recorded = _read(package)
    if recorded is None:
        return f"{MANIFEST} cannot be read"
    _, sources, built = recorded
    changed = _first_change(package, sources)
    if changed is not None:
        return f"{changed} changed since the compiled modules were built"
    changed = _first_change(package, built)
    if changed is not None:
        return f"{changed} is missing or not the one built"
    return None


def compiled_modules(package: Path = PACKAGE) -> list[str]:
    """The modules of the build recorded (none when there is no build)."""
    recorded = _read(package)
    return recorded[0] if recorded is not None else []


def in_use(package: Path = PACKAGE) -> bool:
    """Are the compiled modules the ones imported (built, matching their sources, not turned
    off)?"""
    built = (package / MANIFEST).exists() and not os.environ.get(PURE_PYTHON)
    return built and stale_reason(package) is None


class SourceFinder:
    """A finder for `sys.meta_path`: the package's modules as `.py` files only, never as
    compiled extensions."""

    def __init__(self, package: str) -> None:
        self.prefix = package + "."

    def find_spec(
        self, fullname: str, path: Sequence[str] | None, target: ModuleType | None = None
    ) -> ModuleSpec | None:
        if path is None or not fullname.startswith(self.prefix):
            return None
        sources = (importlib.machinery.SourceFileLoader, importlib.machinery.SOURCE_SUFFIXES)
        for entry in path:
            spec = importlib.machinery.FileFinder(entry, sources).find_spec(fullname, target)
            if spec is not None and spec.loader is not None:
                return spec
        return None  # a namespace package, or nothing here: the usual finders decide


def use_sources(package: str) -> None:
    """Import the package's modules from their `.py` files from now on."""
    if not any(isinstance(f, SourceFinder) and f.prefix == package + "." for f in sys.meta_path):
        sys.meta_path.insert(0, SourceFinder(package))


def guard(package: str) -> None:
    """Called by the package's `__init__`, before any other module of it is imported: stale
    compiled modules are ignored (one line on stderr), as all of them are under PURE_PYTHON."""
    if os.environ.get(PURE_PYTHON):
        use_sources(package)
        return
    reason = stale_reason()
    if reason is not None:
        sys.stderr.write(f"{package}: {reason}; running pure Python (`make setup` rebuilds)\n")
        use_sources(package)
