"""The settings of one `check` run: the command line over the configuration file over the
defaults. A flag given wins; a list flag (`--ignore`) replaces the file's list."""

from __future__ import annotations

import argparse
import glob
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from workflow_prover.cli import config as config_file
from workflow_prover.cli.arguments import ignorable
from workflow_prover.cli.formats import FORMATS
from workflow_prover.cli.gate import FailOn
from workflow_prover.cli.inputs import UsageError, display_name
from workflow_prover.cli.output import ColorMode


@dataclass(frozen=True)
class Settings:
    files: tuple[str, ...]
    format: str
    strict: bool
    ignore: tuple[str, ...]
    fail_on: FailOn
    baseline: str | None
    write_baseline: str | None
    output_file: str | None
    quiet: bool
    stdin_filename: str | None
    color: ColorMode
    excluded: Callable[[str], bool]
    config: Path | None


def resolve(args: argparse.Namespace, cwd: Path) -> Settings:
    found = config_file.find(args.config, args.isolated, cwd)
    values = found.values if found is not None else config_file.FileConfig()
    shown = display_name(str(found.path)) if found is not None else ""
    root = found.root if found is not None else cwd
    return Settings(
        files=tuple(args.files) or _included(values.include, root, shown),
        format=_format(args.format, values.format, shown),
        strict=args.strict if args.strict is not None else bool(values.strict),
        ignore=tuple(args.ignore if args.ignore is not None else _ignored(values.ignore, shown)),
        fail_on=args.fail_on or values.fail_on or "blocker",
        baseline=args.baseline or _relative(values.baseline, root),
        write_baseline=args.write_baseline,
        output_file=args.output_file,
        quiet=args.quiet,
        stdin_filename=args.stdin_filename,
        color=args.color,
        excluded=_excluder(values.exclude, root),
        config=found.path if found is not None else None,
    )


def _format(flag: str | None, configured: str | None, shown: str) -> str:
    if flag is not None:
        return flag
    if configured is None:
        return "text"
    if configured not in FORMATS:
        raise UsageError(f"{shown}: format: expected one of: {', '.join(FORMATS)}")
    return configured


def _ignored(codes: list[str], shown: str) -> list[str]:
    try:
        return [ignorable(code) for code in codes]
    except argparse.ArgumentTypeError as exc:
        raise UsageError(f"{shown}: ignore: {exc}") from None


def _relative(path: str | None, root: Path) -> str | None:
    if path is None:
        return None
    return os.path.relpath(root / path) if not os.path.isabs(path) else path


def _matches(patterns: list[str], root: Path) -> list[str]:
    """The files the globs match under `root`, as paths relative to the working directory."""
    found: list[str] = []
    for pattern in patterns:
        for match in sorted(glob.glob(pattern, root_dir=root, recursive=True)):
            path = root / match
            if path.is_file():
                found.append(os.path.relpath(path))
    return list(dict.fromkeys(found))


def _included(patterns: list[str], root: Path, shown: str) -> tuple[str, ...]:
    """With no FILE, the files `include` names (none configured: stdin, as before)."""
    if not patterns:
        return ()
    found = _matches(patterns, root)
    if not found:
        raise UsageError(f"{shown}: include: no files match")
    return tuple(found)


def _excluder(patterns: list[str], root: Path) -> Callable[[str], bool]:
    excluded = {os.path.realpath(path) for path in _matches(patterns, root)}

    def skip(name: str) -> bool:
        return os.path.realpath(name) in excluded

    return skip
