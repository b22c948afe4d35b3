"""What the lexicons say about a service, and a mention of one in a text."""

from __future__ import annotations

from dataclasses import dataclass

from workflow_prover.lexicon.loader import Lexicons


@dataclass(slots=True, unsafe_hash=True)  # not frozen: cheaper to build; never mutated
class ServiceInfo:
    name: str
    category: str
    role: str  # api | datastore | runtime | secrets
    rate_limited: bool
    vendor: str | None
    generic: bool
    rule: str


@dataclass(slots=True, unsafe_hash=True)  # not frozen: cheaper to build; never mutated
class SvcMention:
    info: ServiceInfo
    start: int
    end: int


_PLATFORM_VENDORS = frozenset(
    (
        "aws",
        "google",
        "azure",
        "microsoft",
        "atlassian",
        "oracle",
        "salesforce",
        "adobe",
        "sap",
        "ibm",
        "cloudflare",
    )
)


class ServiceCatalog:
    """Lexicon facts about services and categories, built once per pipeline."""

    def __init__(self, lex: Lexicons) -> None:
        self._cats = {c.name: c for c in lex.categories}
        vendors = frozenset(s.vendor for s in lex.services if s.vendor)
        # vendors whose name alone stands for their many products ("AWS calls back off")
        self.platform_vendors = vendors & _PLATFORM_VENDORS | {"amazon", "gcp"}

    def info(
        self, name: str, category: str, rule: str, vendor: str | None = None, generic: bool = False
    ) -> ServiceInfo:
        cat = self._cats[category]
        return ServiceInfo(
            name, category, cat.role, cat.rate_limited, vendor or None, generic, rule
        )
