"""Measure the analyzer against labelled cases (the dev set's JSONL format).

`python -m workflow_prover.evaluate [FILE ...]` prints, per file and overall: verdict
accuracy, per-check precision / recall / F1 on `failing`, how many flawed designs were called
WORKFLOW_PROVEN, and every case it gets wrong. Conversation cases count once per turn.

`--assist-answers FILE.jsonl` (`make eval ASSIST_ANSWERS=FILE`) reads each case with a model's
recorded answers, as the server's assisted reading would (`workflow_prover.assist.replay`): a
conversation case is one request over all its turns so far, keyed by the SHA-256 of its
redacted turns.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from workflow_prover.analyzer import Analyzer
from workflow_prover.assist.replay import AnswerBook, replay_report
from workflow_prover.models import CheckId, Report

CHECKS = [c.value for c in CheckId]


@dataclass(frozen=True)
class Case:
    id: str
    turns: tuple[str, ...]
    verdict: str
    failing: frozenset[str]
    findings: frozenset[str]
    steps: dict[str, list[int]]


@dataclass
class Tally:
    total: int = 0
    correct: int = 0
    proven_wrongly: int = 0
    tp: dict[str, int] = field(default_factory=lambda: dict.fromkeys(CHECKS, 0))
    fp: dict[str, int] = field(default_factory=lambda: dict.fromkeys(CHECKS, 0))
    fn: dict[str, int] = field(default_factory=lambda: dict.fromkeys(CHECKS, 0))
    wrong: list[str] = field(default_factory=list)

    def add(self, case: Case, report: Report) -> None:
        self.total += 1
        got = {c.value for c, status in report.checks.items() if status == "fail"}
        ok = report.verdict.value == case.verdict
        self.correct += ok
        if report.verdict.value == "WORKFLOW_PROVEN" and case.verdict != "WORKFLOW_PROVEN":
            self.proven_wrongly += 1
        for check in CHECKS:
            self.tp[check] += check in got and check in case.failing
            self.fp[check] += check in got and check not in case.failing
            self.fn[check] += check not in got and check in case.failing
        if not ok or got != case.failing:
            codes = sorted({f.code for f in report.findings if f.severity == "blocker"})
            self.wrong.append(
                f"{case.id}: expected {case.verdict} {sorted(case.failing)}, "
                f"got {report.verdict.value} {sorted(got)} {codes}"
            )


def cases(path: Path) -> Iterator[Case]:
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        row = json.loads(line)
        if "turns" in row:
            texts: list[str] = []
            for i, turn in enumerate(row["turns"], 1):
                texts.append(turn["text"])
                yield Case(
                    f"{row['id']}#{i}",
                    tuple(texts),
                    turn["verdict"],
                    frozenset(turn.get("failing", [])),
                    frozenset(turn.get("findings", [])),
                    turn.get("steps", {}),
                )
        else:
            yield Case(
                row.get("id", f"{path.name}:{number}"),
                (row["text"],),
                row["verdict"],
                frozenset(row.get("failing", [])),
                frozenset(row.get("findings", [])),
                row.get("steps", {}),
            )


def evaluate(
    paths: Sequence[Path], analyzer: Analyzer, answers: AnswerBook | None = None
) -> dict[str, Tally]:
    tallies: dict[str, Tally] = {}
    overall = Tally()
    for path in paths:
        tally = tallies.setdefault(str(path), Tally())
        for case in cases(path):
            if answers is None:
                report = analyzer.analyze_turns(list(case.turns))
            else:
                report = replay_report(analyzer, list(case.turns), answers)
            tally.add(case, report)
            overall.add(case, report)
    tallies["ALL"] = overall
    return tallies


def _f1(t: Tally, check: str) -> tuple[float, float, float]:
    tp, fp, fn = t.tp[check], t.fp[check], t.fn[check]
    p = tp / (tp + fp) if tp + fp else 1.0
    r = tp / (tp + fn) if tp + fn else 1.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def print_tally(name: str, t: Tally, show_wrong: bool = True) -> None:
    acc = t.correct / t.total if t.total else 0.0
    print(
        f"\n== {name}: {t.total} cases, verdict accuracy {acc:.1%} ({t.correct}/{t.total}), "
        f"flawed designs called WORKFLOW_PROVEN: {t.proven_wrongly}"
    )
    for check in CHECKS:
        p, r, f1 = _f1(t, check)
        print(f"   {check:17} precision {p:.2f}  recall {r:.2f}  F1 {f1:.2f}")
    if show_wrong and t.wrong:
        print("   wrong:")
        for line in t.wrong:
            print("    ", line)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="*", type=Path)
    parser.add_argument(
        "--assist-answers",
        type=Path,
        default=None,
        metavar="FILE.jsonl",
        help="read each case with these recorded answers of a model (see README, assisted reading)",
    )
    args = parser.parse_args(argv)
    files = args.files or sorted(Path("fixtures").rglob("*.jsonl"))
    if not files:
        print("no fixture files found", file=sys.stderr)
        return 2
    answers = AnswerBook.load(args.assist_answers) if args.assist_answers else None
    tallies = evaluate(files, Analyzer(), answers)
    for name, tally in tallies.items():
        print_tally(name, tally, show_wrong=name != "ALL")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
