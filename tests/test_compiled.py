"""The mypyc build (scripts/compile.py) is used only while it matches its sources.

The record of a build and its check run on a package made up in a temporary directory; the
last tests look at this checkout, compiled (`make setup`) or not: both states must pass.
"""

from __future__ import annotations

import importlib
import importlib.machinery
import os
import subprocess
import sys
from pathlib import Path

import pytest

from workflow_prover import compiled

SO = importlib.machinery.EXTENSION_SUFFIXES[0]  # ".cpython-311-x86_64-linux-gnu.so"


@pytest.fixture
def package(tmp_path: Path) -> Path:
    """A made-up package as a build leaves it: sources, built files and the record."""
    pkg = tmp_path / "pkg"
    (pkg / "sub").mkdir(parents=True)
    (pkg / "__init__.py").write_text("", encoding="utf-8")
    (pkg / "sub" / "mod.py").write_text("VALUE = 'source'\n", encoding="utf-8")
    (pkg / "sub" / f"mod{SO}").write_bytes(b"not a real extension")
    (pkg / f"{compiled.SHARED_LIBRARY}{SO}").write_bytes(b"the code")
    compiled.write_manifest(["pkg.sub.mod"], pkg)
    return pkg


def test_when_nothing_was_built_then_nothing_is_stale(tmp_path: Path) -> None:
    (tmp_path / "mod.py").write_text("", encoding="utf-8")
    assert compiled.stale_reason(tmp_path) is None
    assert compiled.compiled_modules(tmp_path) == []
    assert not compiled.in_use(tmp_path)


def test_when_a_build_is_recorded_then_it_matches_its_sources(package: Path) -> None:
    assert compiled.stale_reason(package) is None
    assert compiled.compiled_modules(package) == ["pkg.sub.mod"]


def test_when_a_source_is_only_touched_then_the_build_still_matches(package: Path) -> None:
    source = package / "sub" / "mod.py"
    os.utime(source, ns=(source.stat().st_atime_ns, source.stat().st_mtime_ns + 10**9))
    assert compiled.stale_reason(package) is None


def test_when_a_source_changes_then_the_build_is_stale_until_it_is_restored(
    package: Path,
) -> None:
    source = package / "sub" / "mod.py"
    source.write_text("VALUE = 'edited'\n", encoding="utf-8")
    assert compiled.stale_reason(package) == (
        "sub/mod.py changed since the compiled modules were built"
    )
    source.write_text("VALUE = 'source'\n", encoding="utf-8")
    assert compiled.stale_reason(package) is None


def test_when_a_module_not_compiled_changes_then_the_build_is_stale(package: Path) -> None:
    """(Compiled code holds copies of the constants and classes of what it imports.)"""
    (package / "__init__.py").write_text("X = 1\n", encoding="utf-8")
    assert compiled.stale_reason(package) is not None


def test_when_a_source_is_deleted_then_the_build_is_stale(package: Path) -> None:
    (package / "sub" / "mod.py").unlink()
    assert compiled.stale_reason(package) is not None


def test_when_a_built_file_is_replaced_or_missing_then_the_build_is_stale(package: Path) -> None:
    (package / "sub" / f"mod{SO}").write_bytes(b"another build")
    assert compiled.stale_reason(package) == f"sub/mod{SO} is missing or not the one built"
    (package / "sub" / f"mod{SO}").unlink()
    assert compiled.stale_reason(package) is not None


def test_when_the_record_is_missing_or_unreadable_then_the_build_is_stale(package: Path) -> None:
    record = package / compiled.MANIFEST
    record.write_text("{", encoding="utf-8")
    assert compiled.stale_reason(package) == f"{compiled.MANIFEST} cannot be read"
    record.unlink()
    assert compiled.stale_reason(package) == "compiled modules without a record of their build"


def test_when_sources_are_used_then_a_module_with_an_extension_beside_it_is_read_from_its_py(
    package: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.syspath_prepend(str(package.parent))
    monkeypatch.setattr(sys, "meta_path", list(sys.meta_path))
    for name in ("pkg", "pkg.sub", "pkg.sub.mod"):
        monkeypatch.delitem(sys.modules, name, raising=False)
    importlib.invalidate_caches()
    with pytest.raises(ImportError):
        importlib.import_module("pkg.sub.mod")  # the (made-up) extension comes first
    compiled.use_sources("pkg")
    compiled.use_sources("pkg")
    ours = [f for f in sys.meta_path if isinstance(f, compiled.SourceFinder) and f.prefix == "pkg."]
    assert len(ours) == 1
    assert importlib.import_module("pkg.sub.mod").VALUE == "source"
    monkeypatch.delitem(sys.modules, "pkg.sub.mod")


def _imported_from(module: str, **env: str) -> str:
    environ = {k: v for k, v in os.environ.items() if k != compiled.PURE_PYTHON} | env
    code = f"import {module} as m; print(m.__file__)"
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=environ, check=True
    )
    return done.stdout.strip()


def test_when_pure_python_is_asked_for_then_no_compiled_module_is_imported() -> None:
    path = _imported_from("workflow_prover.extract.reading", **{compiled.PURE_PYTHON: "1"})
    assert path.endswith("reading.py")


@pytest.mark.skipif(not compiled.in_use(), reason="no compiled modules (`make setup` builds them)")
def test_when_the_build_matches_then_its_modules_are_imported_compiled() -> None:
    names = compiled.compiled_modules()
    assert "workflow_prover.extract.reading" in names
    assert all(str(importlib.import_module(n).__file__).endswith(SO) for n in names)
    assert _imported_from("workflow_prover.verdict").endswith(SO)
