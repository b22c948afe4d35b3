"""One analysed text with the indices the step and claim extractors share."""

from __future__ import annotations

from dataclasses import dataclass, field

from workflow_prover.extract.context import ConText, Reading
from workflow_prover.extract.segment import Clause, Layout, is_verbal, layout
from workflow_prover.extract.services import (
    ServiceCatalog,
    SvcMention,
    attributive,
    find_services,
)
from workflow_prover.extract.types import Annotation, Group, Mention, Tok

_HOST_ROLES = frozenset(("datastore",))
# Vendors whose name alone stands for their many products ("AWS calls back off").
PLATFORM_VENDORS = frozenset(("aws", "google", "azure", "microsoft", "atlassian", "oracle",
                              "salesforce", "adobe", "sap", "ibm", "cloudflare"))
_HOST_CATEGORIES = frozenset(("monitoring",))


@dataclass
class TextView:
    ann: Annotation
    lay: Layout
    ctx: ConText
    services: list[SvcMention]
    turn: int
    vendors: frozenset[str] = frozenset()
    by_clause: dict[str, dict[int, list[Mention]]] = field(default_factory=dict)
    svc_by_clause: dict[int, list[SvcMention]] = field(default_factory=dict)
    terms_at: dict[str, set[int]] = field(default_factory=dict)
    service_toks: set[int] = field(default_factory=set)
    _readings: dict[tuple[int, int, str], Reading] = field(default_factory=dict)

    @property
    def toks(self) -> list[Tok]:
        return self.ann.toks

    def clause(self, index: int) -> Clause:
        return self.lay.clauses[index]

    def mentions(self, group: str, clause: int) -> list[Mention]:
        return self.by_clause.get(group, {}).get(clause, [])

    def clause_services(self, clause: int) -> list[SvcMention]:
        return self.svc_by_clause.get(clause, [])

    def has_term(self, label: str, start: int, end: int) -> bool:
        at = self.terms_at.get(label, set())
        return any(i in at for i in range(start, end))

    def term_starts(self, label: str) -> set[int]:
        return self.terms_at.get(label, set())

    def read(self, m: Mention) -> Reading:
        key = (m.start, m.end, m.rule)
        if key not in self._readings:
            self._readings[key] = self.ctx.read(m)
        return self._readings[key]

    def text(self, start: int, end: int) -> str:
        toks = self.toks
        return self.ann.text[toks[start].start:toks[end - 1].end]

    def verbal(self, verb: Mention) -> bool:
        clause = self.clause(self.lay.clause_of[verb.start])
        return is_verbal(verb, self.toks, self.service_toks, clause.start, clause.item is not None)

    def is_attributive(self, m: SvcMention) -> bool:
        return attributive(m, self.toks, self.term_starts("ID_NOUN") | self.term_starts("CREDENTIAL_NOUN"))

    def is_host(self, m: SvcMention) -> bool:
        """Does this mention name where a mechanism lives (the DLQ's queue, the dedupe store)?"""
        clause = self.lay.clause_of[m.start]
        parts = [c for c in self.mentions("cue", clause) if c.mechanism_part
                 or c.label == "alerting"]
        if not parts:
            return False
        if any(abs(c.start - m.end) <= 3 or abs(m.start - c.end) <= 3 for c in parts
               if c.mechanism_part):
            return True
        if m.info.role not in _HOST_ROLES and m.info.category not in _HOST_CATEGORIES:
            return False
        nxt = m.end
        return not (nxt < len(self.toks) and nxt in self.term_starts("STEP_REF"))


def build_view(ann: Annotation, catalog: ServiceCatalog, turn: int) -> TextView:
    lay = layout(ann)
    view = TextView(ann, lay, ConText(ann, lay), find_services(ann, catalog), turn,
                    catalog.vendors & PLATFORM_VENDORS | {"amazon", "gcp"})
    for group in (Group.CUE, Group.VERB, Group.CONTEXT, Group.TERM):
        per: dict[int, list[Mention]] = {}
        for m in ann.of(group):
            per.setdefault(lay.clause_of[m.start], []).append(m)
        view.by_clause[group.value] = per
    for s in view.services:
        view.svc_by_clause.setdefault(lay.clause_of[s.start], []).append(s)
        view.service_toks.update(range(s.start, s.end))
    for t in ann.of(Group.TERM):
        view.terms_at.setdefault(t.label, set()).add(t.start)
    return view
