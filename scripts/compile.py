"""Compile the hot modules with mypyc, in place beside their sources (`make setup` runs it).

    python scripts/compile.py           # build, unless the build matches the sources already
    python scripts/compile.py --force   # build again, every C file
    python scripts/compile.py --clean   # remove the compiled modules: pure Python

The package behaves the same compiled or not (README: compiled modules); compiled, `analyze()`
is about twice as fast. Any failure (no compiler, no Python headers, mypyc refusing a module)
leaves the package pure Python and says so in one line: this script exits 0 either way. The
compiler's output goes to build/mypyc/build.log. `workflow_prover.compiled` records the build
and makes the package ignore it once a source changes.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, Final

ROOT: Final = Path(__file__).resolve().parent.parent
SRC: Final = ROOT / "src"
PACKAGE: Final = SRC / "workflow_prover"
PURE_PYTHON: Final = "WORKFLOW_PROVER_PURE_PYTHON"  # (as workflow_prover.compiled)
BUILD: Final = ROOT / "build" / "mypyc"
LOG: Final = BUILD / "build.log"
GROUP: Final = "workflow_prover.compiled"  # the shared library: workflow_prover/compiled__mypyc

# The modules compiled (globs under src/workflow_prover): where analyze() spends its time.
COMPILED: Final = (
    "extract/**/*.py",
    "annotate/*.py",
    "graph/*.py",
    "checks/*.py",
    "verdict.py",
)
# Matched above but left interpreted (a file name, or a path under src/workflow_prover): why.
LEFT_OUT: Final = {
    "__init__.py": "compiled, a package's __init__ gets a wrong __path__ when the shared library"
    " is inside the package (mypyc places it as if at the top level); ours hold next to no code",
    "graph/kinds.py": "its pydantic model makes mypyc 2.4 emit C that does not compile"
    " (CPyModule_pydantic___main undeclared)",
}


def modules() -> list[Path]:
    """The source files to compile."""
    found = {p for pattern in COMPILED for p in PACKAGE.glob(pattern)}
    kept = [p for p in found if p.name not in LEFT_OUT and _relative(p) not in LEFT_OUT]
    return sorted(kept)


def _relative(path: Path) -> str:
    return path.relative_to(PACKAGE).as_posix()


def module_name(path: Path) -> str:
    return ".".join(path.relative_to(PACKAGE.parent).with_suffix("").parts)


def clean() -> None:
    """Remove every compiled module and the record of the build (unlinked, not overwritten:
    a process that has them loaded keeps its copy)."""
    from workflow_prover import compiled

    for record in (compiled.MANIFEST, compiled.MANIFEST + ".tmp"):
        (PACKAGE / record).unlink(missing_ok=True)
    for path in compiled.built_files(PACKAGE):
        path.unlink()


def up_to_date() -> bool:
    """Is there a build, of the modules listed here, that matches every source?"""
    from workflow_prover import compiled

    listed = [module_name(p) for p in modules()]
    return compiled.compiled_modules(PACKAGE) == listed and compiled.stale_reason(PACKAGE) is None


def missing_tools() -> str | None:
    for name in ("mypyc", "setuptools"):
        if importlib.util.find_spec(name) is None:
            return f"{name} is not installed (pip install -e '.[dev]')"
    return None


def _parallel(compile_all: Callable[..., list[str]], jobs: int) -> Callable[..., list[str]]:
    """The compiler's `compile`, one C file per job: setuptools compiles the files of one
    extension one after the other, and the shared library is one extension of many files."""

    def compile_parallel(sources: Sequence[str], *args: Any, **kwargs: Any) -> list[str]:
        with ThreadPoolExecutor(jobs) as pool:
            done = pool.map(lambda source: compile_all([source], *args, **kwargs), sources)
            return [obj for objects in done for obj in objects]

    return compile_parallel


def run_setup(paths: Sequence[Path]) -> None:
    """The build itself (in a child process, its output to the log)."""
    from mypyc.build import mypycify
    from setuptools import setup
    from setuptools.command.build_ext import build_ext

    jobs = os.cpu_count() or 1

    class ParallelBuildExt(build_ext):
        def build_extension(self, ext: Any) -> None:
            self.compiler.compile = _parallel(self.compiler.compile, jobs)
            super().build_extension(ext)

    target = (BUILD / "c").relative_to(ROOT)  # (the child runs in ROOT)
    options = ["--cache-dir", str(BUILD / "mypy_cache")]
    extensions = mypycify(
        options + [str(p) for p in paths],
        opt_level="3",
        multi_file=True,  # a C file per module, compiled in parallel
        group_name=GROUP,
        target_dir=str(target),
    )
    for extension in extensions:  # mypyc puts a dotted group's headers in a subdirectory
        extension.include_dirs.append(str(target / GROUP.split(".")[0]))
    setup(
        name="workflow-prover-compiled",
        package_dir={"": "src"},
        ext_modules=extensions,
        cmdclass={"build_ext": ParallelBuildExt},
        script_args=[
            *("build_ext", "--inplace"),
            *("--build-temp", str(BUILD / "temp"), "--build-lib", str(BUILD / "lib")),
        ],
    )


def _child(paths: Sequence[Path]) -> bool:
    BUILD.mkdir(parents=True, exist_ok=True)
    argv = [sys.executable, __file__, "--child", *map(str, paths)]
    env = _environment(True)  # never load what is being rebuilt
    with LOG.open("w", encoding="utf-8") as log:
        done = subprocess.run(argv, cwd=ROOT, env=env, stdout=log, stderr=log, check=False)
    return done.returncode == 0


_CHECK: Final = """
import importlib, sys
from workflow_prover import compiled
assert compiled.in_use(), "the build is not in use"
interpreted = [n for n in sys.argv[1:] if not importlib.import_module(n).__file__.endswith(".so")]
assert not interpreted, interpreted
"""


def _environment(pure: bool) -> dict[str, str]:
    """This environment, with our sources first on the path; `pure`: the build ignored."""
    env = {k: v for k, v in os.environ.items() if k != PURE_PYTHON}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(SRC), env.get("PYTHONPATH")]))
    return env | ({PURE_PYTHON: "1"} if pure else {})


def _imports(names: Sequence[str]) -> bool:
    """Do the built modules import, compiled, in a fresh interpreter?"""
    argv = [sys.executable, "-c", _CHECK, *names]
    with LOG.open("a", encoding="utf-8") as log:
        done = subprocess.run(
            argv, cwd=ROOT, env=_environment(False), stdout=log, stderr=log, check=False
        )
    return done.returncode == 0


def build(fresh: bool) -> str:
    """Compile, check that the result imports, record it; the one line to print. `fresh`:
    compile the C again even when the last build's extensions are newer than it."""
    if fresh:
        for objects in (BUILD / "lib", BUILD / "temp"):
            shutil.rmtree(objects, ignore_errors=True)
    paths = modules()
    names = [module_name(p) for p in paths]
    from workflow_prover import compiled

    log = LOG.relative_to(ROOT)
    start = time.monotonic()
    clean()
    if not _child(paths):
        clean()
        return f"mypyc: compiling failed (see {log}); running pure Python"
    compiled.write_manifest(names, PACKAGE)
    if not _imports(names):
        clean()
        return f"mypyc: the compiled modules fail to import (see {log}); running pure Python"
    return f"mypyc: compiled {len(names)} modules in {time.monotonic() - start:.0f} s"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clean", action="store_true", help="remove the compiled modules")
    parser.add_argument("--force", action="store_true", help="build even when up to date")
    parser.add_argument("--child", nargs="+", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    os.environ[PURE_PYTHON] = "1"  # never load what is being rebuilt
    sys.path.insert(0, str(SRC))
    if args.child:
        run_setup(args.child)
    elif args.clean:
        clean()
        print("mypyc: compiled modules removed; running pure Python")
    elif not args.force and up_to_date():
        print("mypyc: the compiled modules match their sources")
    else:
        missing = missing_tools()
        print(f"mypyc: {missing}; running pure Python" if missing else build(args.force))
    return 0


if __name__ == "__main__":
    sys.exit(main())
