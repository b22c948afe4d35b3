"""What the lexicons say about a service, and a mention of one in a text."""

from __future__ import annotations

from dataclasses import dataclass

from workflow_prover.lexicon.loader import Lexicons
from workflow_prover.lexicon.words import WordClasses


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


class ServiceCatalog:
    """Lexicon facts about services and categories, and the word classes the extractors
    read (`lexicons/words.jsonl`), built once per pipeline."""

    def __init__(self, lex: Lexicons) -> None:
        self._cats = {c.name: c for c in lex.categories}
        self.words = WordClasses.from_lexicons(lex)
        # vendors whose name alone stands for their many products ("AWS calls back off")
        self.platform_vendors = self.words.platform_vendor
        self.alert_categories = frozenset(c.name for c in lex.categories if c.alerts)
        self.host_categories = frozenset(c.name for c in lex.categories if c.hosts_mechanisms)
        self.message_categories = frozenset(c.name for c in lex.categories if c.messages)
        self.channel_categories = frozenset(c.name for c in lex.categories if c.hash_channels)
        # "Oracle Transportation Management": aliases that start other products' names
        self.name_starts = self.words.name_start
        # the words of a field or variable name that make it a credential's ("PASSWORD",
        # "TOKEN"; a "KEY" too), from `lexicons/credential_labels.jsonl`
        # one-word names of database engines ("postgres", "pg", "mysql"), which a hosted
        # database's name or bracket can carry ("Supabase Postgres", "Cloud SQL (Postgres)")
        self.engine_words = {
            alias.lower(): row.name
            for row in lex.services
            if row.engine
            for alias in (row.name, *row.aliases)
            if " " not in alias
        }
        self.engine_names = frozenset(self.engine_words.values())
        self.credential_name_words = frozenset(
            r.word for r in lex.credential_labels if r.role in ("credential", "qualified")
        )

    def role(self, category: str) -> str:
        """The role of a category: api, datastore, secrets, ..."""
        return self._cats[category].role

    def info(
        self, name: str, category: str, rule: str, vendor: str | None = None, generic: bool = False
    ) -> ServiceInfo:
        cat = self._cats[category]
        return ServiceInfo(
            name, category, cat.role, cat.rate_limited, vendor or None, generic, rule
        )
