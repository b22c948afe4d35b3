"""Messages, finding lines and follow-up questions, all rendered from Jinja2 templates.

A finding's message and question are the templates of its code's row in its check's table
(`checks/<check>.jsonl`); a code without them fails to load, so there is no fallback wording.

The environment is built once per Renderer (templates compiled on first use and cached by
Jinja2); rendering reads only pydantic models. Quotes are the evidence texts, which are
already redacted, so a message never repeats a secret.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from jinja2 import Environment, PackageLoader, StrictUndefined, Template

from workflow_prover.codes import CODES, SHORT
from workflow_prover.models import ClaimGraph, ClaimKind, Finding, Verdict

_MAX_QUOTE = 90
_NOUNS = {
    "payments": "charges",
    "email": "emails",
    "sms": "messages",
    "chat": "messages",
    "crm": "records",
    "database": "rows",
    "warehouse": "rows",
    "accounting": "invoices",
    "erp": "records",
    "ecommerce": "orders",
    "support": "tickets",
}
_RETRIES = (
    ClaimKind.RETRY_IMMEDIATE,
    ClaimKind.RETRY_FIXED,
    ClaimKind.RETRY,
    ClaimKind.TRY_CATCH,
    ClaimKind.BACKOFF_EXPONENTIAL,
)


def quote(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= _MAX_QUOTE else text[: _MAX_QUOTE - 1].rstrip() + "…"


def where(f: Finding) -> str:
    """Where a finding is, in words: "step 2 (Stripe)", "Stripe" or "the design"."""
    if f.step:
        return f"step {f.step} ({f.service})" if f.service else f"step {f.step}"
    return f.service or "the design"


def _sentence_case(text: str) -> str:
    return text[:1].upper() + text[1:]


class Renderer:
    def __init__(self) -> None:
        self._env = Environment(
            loader=PackageLoader("workflow_prover.report", "render/templates"),
            undefined=StrictUndefined,
            autoescape=False,
            keep_trailing_newline=False,
        )
        # Jinja's `capitalize` lower-cases the rest: "Step 1 (postgresql)"
        self._env.filters["sentence_case"] = _sentence_case
        self._verdicts: dict[Verdict, Template] = {
            v: self._env.get_template(f"verdicts/{v.value}.j2") for v in Verdict
        }
        self._env.globals["where"] = where
        self._messages = {c: self._env.from_string(r.message) for c, r in CODES.items()}
        self._questions = {c: self._env.from_string(r.question) for c, r in CODES.items()}
        self._unread = self._env.get_template("unread.j2")
        for template in (
            *self._verdicts.values(),
            *self._messages.values(),
            *self._questions.values(),
            self._unread,
        ):
            # a template's globals are a ChainMap over the environment's, which Jinja copies
            # into a dict on every render (20 us of a 29 us message): the globals are all set
            # by now and never change, so each template keeps them as a plain dict
            template.globals = dict(template.globals)

    def _render(self, template: Template, **context: object) -> str:
        return " ".join(template.render(**context).split())

    # ---- findings and questions -----------------------------------------------------------

    def with_messages(
        self, findings: Sequence[Finding], labels: Mapping[int, int] | None = None
    ) -> list[Finding]:
        """Each finding's line; `labels` (step index -> the text's own number, where the text
        numbers its steps) names a step as the user does: their "Step 4" is the Prover's."""
        labels = labels or {}
        return [
            f.model_copy(
                update={
                    "message": self._render(
                        self._messages[f.code], f=_as_said(f, labels), quote=_finding_quote(f)
                    )
                }
            )
            for f in findings
        ]

    def questions(self, findings: Sequence[Finding], graph: ClaimGraph) -> list[str]:
        labels = step_labels(graph)
        out: list[str] = []
        for f in findings:
            if f.severity != "blocker" or f.suppressed or f.accepted is not None:
                continue
            text = self._render(
                self._questions[f.code],
                f=_as_said(f, labels),
                services=_services(graph),
                kind=_secret_kind(f, graph),
                svc=f.service or "the service",
                at=f" in step {_label(f, labels)}" if f.step else "",
            )

            if text not in out:
                out.append(text)
        if not graph.steps:  # nothing was read as a step: ask about what was not understood
            for unread in graph.unread[:3]:
                quoted = f"'{quote(unread.text)}'"
                out.append(self._render(self._unread, part="question", quoted=quoted))
        return out

    # ---- the message -----------------------------------------------------------------------

    def message(self, verdict: Verdict, findings: Sequence[Finding], graph: ClaimGraph) -> str:
        blockers = [f for f in findings if f.severity == "blocker" and _counts(f)]
        lead = _lead(verdict, blockers)
        others = [f for f in blockers if f is not lead]
        if verdict is Verdict.WORKFLOW_PROVEN:
            others = [f for f in findings if f.severity == "warning" and _counts(f)]
        context = {
            "lead": lead.message if lead else "",
            "others": _summary(others),
            "services": _services(graph),
            "single": len(_api_services(graph)) == 1,
            "admission": _admission(lead),
            "retry": _retry_quote(graph),
            "noun": _noun(lead, graph),
            "secret": _secret_kind(
                next((f for f in blockers if f.code == "SECRET_IN_TEXT"), None), graph
            ),
        }
        message = self._render(self._verdicts[verdict], **context)
        if not graph.steps and graph.unread:
            quoted = ", ".join(f"'{quote(u.text)}'" for u in graph.unread[:3])
            count = len(graph.unread)
            message += " " + self._render(self._unread, part="message", quoted=quoted, count=count)
        return message


def _counts(f: Finding) -> bool:
    return not f.suppressed and f.accepted is None


def step_labels(graph: ClaimGraph) -> dict[int, int]:
    """Step index -> the text's own number for it, where the text numbers its steps."""
    return {s.index: s.label for s in graph.steps if s.label is not None}


def _label(f: Finding, labels: Mapping[int, int]) -> int | None:
    return labels.get(f.step, f.step) if f.step is not None else None


def _as_said(f: Finding, labels: Mapping[int, int]) -> Finding:
    """The finding as its templates name it: its step by the text's own number."""
    label = _label(f, labels)
    return f if label == f.step else f.model_copy(update={"step": label})


def _lead(verdict: Verdict, blockers: list[Finding]) -> Finding | None:
    if verdict is Verdict.INSECURE_CREDENTIALS:
        rest = [
            f for f in blockers if f.code != "SECRET_IN_TEXT" and f.check.value == "credentials"
        ]
        return rest[0] if rest else None
    check = {
        Verdict.HAPPY_PATH_BIAS: "failure_handling",
        Verdict.NON_IDEMPOTENT: "idempotency",
        Verdict.MISSING_DLQ: "failure_handling",
        Verdict.NO_BACKOFF: "rate_limiting",
    }.get(verdict)
    return next((f for f in blockers if f.check.value == check), None)


def _summary(findings: list[Finding], limit: int = 4) -> str:
    """'an idempotency key (CRM); backoff or throttling (Stripe, CRM)': one part per code."""
    where: dict[str, list[str]] = {}
    for f in findings:
        if f.code == "SECRET_IN_TEXT":
            continue
        names = where.setdefault(f.code, [])
        place = f.service or (f"step {f.step}" if f.step else "")  # labels: see `summary_for`
        if place and place not in names:
            names.append(place)
    parts = [
        f"{SHORT[code]} ({', '.join(names)})" if names else SHORT[code]
        for code, names in where.items()
    ]
    if len(parts) > limit:
        return "; ".join(parts[:limit]) + f"; and {len(parts) - limit} more"
    return "; ".join(parts)


_STEP_RULES = ("verb.", "trigger", "webhook", "arrow", "implicit.", "step.")


def _finding_quote(f: Finding) -> str:
    """The user's words about the mechanism (not the step's own text), shortened."""
    if f.code == "SECRET_IN_TEXT":
        return f.evidence[0].text if f.evidence else "a secret"
    claims = [e for e in f.evidence if not e.rule.startswith(_STEP_RULES)]
    return quote(claims[-1].text) if claims else ""


def _admission(lead: Finding | None) -> str:
    if lead is None or lead.code != "NO_FAILURE_HANDLING":
        return ""
    admitted = [e for e in lead.evidence if e.cue is not None or e.rule.startswith("no.")]
    if not admitted:
        return ""
    first = admitted[0]
    if first.cue is not None and first.cue.end <= first.start:  # "no" + "error handling"
        joiner = " " if first.start - first.cue.end <= 1 else " … "
        return quote(f"{first.cue.text}{joiner}{first.text}")
    return quote(first.text)


def _retry_quote(graph: ClaimGraph) -> str:
    for kind in _RETRIES:
        for claim in graph.claims:
            if claim.kind is kind and claim.modality == "asserted":
                return quote(claim.evidence.text)
    return ""


def _api_services(graph: ClaimGraph) -> list[str]:
    return [s.name for s in graph.services if s.needs_rate_limit] or [
        s.name for s in graph.services
    ]


def _services(graph: ClaimGraph) -> str:
    names = _api_services(graph)[:3]
    if not names:
        return "the services"
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def _noun(lead: Finding | None, graph: ClaimGraph) -> str:
    if lead is None or lead.service is None:
        return "writes"
    service = graph.service(lead.service)
    return _NOUNS.get(service.category, "writes") if service else "writes"


def _secret_kind(f: Finding | None, graph: ClaimGraph) -> str:
    if f is None:
        return ""
    for secret in graph.secrets:
        if f.evidence and secret.evidence == f.evidence[0]:
            return secret.kind.replace("_", " ")
    return "secret"
