"""The word classes of `lexicons/words.jsonl`, as the extractors read them.

A rule that asks "is this token one of the words of kind X?" reads `words.x`, a frozenset of
lower-case token norms built once per pipeline from three sources: the `words.jsonl` rows
labelled `X`; the one-word patterns of a `terms.jsonl` label such a row names (`terms`); and
the term rows marked with `X` (`classes`: "everything" is a QUANTIFIER that also stands
alone), so a word a term row already holds is never listed twice. The words are data: a
change is a row, and the test of its behaviour a row of the stage's table. Closed-class
grammar (determiners, pronouns, auxiliaries, prepositions, connectives) stays in
`extract/layout/grammar.py`.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import get_args

from workflow_prover.lexicon.loader import LexiconError, Lexicons
from workflow_prover.lexicon.schema import WordLabel


@dataclass(frozen=True, slots=True)
class WordClasses:
    """One field per `WordLabel`, named for it in lower case (see `WordLabel` for each)."""

    platform_vendor: frozenset[str]
    cloud_prefix: frozenset[str]
    system_after: frozenset[str]
    name_filler: frozenset[str]
    not_a_name: frozenset[str]
    vague_name: frozenset[str]
    bracket_head: frozenset[str]
    database_head: frozenset[str]
    ui_action: frozenset[str]
    system_column: frozenset[str]
    type_suffix: frozenset[str]
    head_alias: frozenset[str]
    event_noun: frozenset[str]
    data_noun: frozenset[str]
    role_modifier: frozenset[str]
    provider_head: frozenset[str]
    named_by_next: frozenset[str]
    endpoint_head: frozenset[str]
    step_noun: frozenset[str]
    have_verb: frozenset[str]
    runner_noun: frozenset[str]
    api_head: frozenset[str]
    response_verb: frozenset[str]
    product_head: frozenset[str]
    finite_verb: frozenset[str]
    except_word: frozenset[str]
    included_before: frozenset[str]
    included_after: frozenset[str]
    schedule_word: frozenset[str]
    route_verb: frozenset[str]
    adverbial_opener: frozenset[str]
    state_word: frozenset[str]
    schedule_starter: frozenset[str]
    schedule_adverb: frozenset[str]
    schedule_unit: frozenset[str]
    target_word: frozenset[str]
    channel_word: frozenset[str]
    source_word: frozenset[str]
    system_head: frozenset[str]
    adverbial_verb: frozenset[str]
    on_event_noun: frozenset[str]
    system_key: frozenset[str]
    source_key: frozenset[str]
    sink_key: frozenset[str]
    plural_subject: frozenset[str]
    plural_predicate: frozenset[str]
    clause_trigger: frozenset[str]
    condition_introducer: frozenset[str]
    once_not_trigger: frozenset[str]
    but_quantifier: frozenset[str]
    time_noun: frozenset[str]
    event_name_noun: frozenset[str]
    verb_prefix: frozenset[str]
    verb_particle: frozenset[str]
    sourced_verb: frozenset[str]
    domain_suffix: frozenset[str]
    call_verb: frozenset[str]
    recipient_verb: frozenset[str]
    result_opener: frozenset[str]
    generic_adjective: frozenset[str]
    noun_modifier: frozenset[str]
    runtime_noun: frozenset[str]
    name_start: frozenset[str]
    alone_quantifier: frozenset[str]
    opening_pronoun: frozenset[str]
    stand_in: frozenset[str]
    numbered_step_ref: frozenset[str]
    step_marker: frozenset[str]
    title_noun: frozenset[str]
    removal_verb: frozenset[str]
    wait_word: frozenset[str]
    delivery_noun: frozenset[str]
    inbox_head: frozenset[str]
    build_verb: frozenset[str]
    publish_verb: frozenset[str]
    setup_verb: frozenset[str]
    carry_verb: frozenset[str]
    key_field: frozenset[str]
    setting_word: frozenset[str]
    flag_word: frozenset[str]
    record_field: frozenset[str]
    enrich_verb: frozenset[str]
    guard_noun: frozenset[str]
    sql_runner: frozenset[str]
    sql_statement: frozenset[str]
    return_verb: frozenset[str]
    client_maker: frozenset[str]
    header_key: frozenset[str]
    object_verb: frozenset[str]
    generic_call: frozenset[str]
    statement_verb: frozenset[str]
    fetch_modifier: frozenset[str]
    delegate_verb: frozenset[str]
    receive_key: frozenset[str]
    read_remark: frozenset[str]
    present_turn: frozenset[str]
    log_verb: frozenset[str]
    replaced_word: frozenset[str]

    @classmethod
    def from_lexicons(cls, lex: Lexicons) -> WordClasses:
        """Every label's words; a label without a row is an error (its rule would be dead)."""
        terms: dict[str, set[str]] = {}
        found: dict[str, set[str]] = {}
        for term in lex.terms:
            if " " not in term.pattern:
                terms.setdefault(term.label, set()).add(term.pattern.lower())
        for term in lex.terms:  # a term row marked with classes ("everything": ALONE_...)
            for label in term.classes:
                found.setdefault(label, set()).add(term.pattern.lower())
        for row in lex.words:
            words = found.setdefault(row.label, set())
            words.update(row.words)
            if row.terms is not None:
                words.update(terms.get(row.terms, set()))
        missing = sorted(set(get_args(WordLabel)) - set(found))
        if missing:
            raise LexiconError(f"words.jsonl: no row for {', '.join(missing)}")
        return cls(**{label.lower(): frozenset(words) for label, words in found.items()})


def labels() -> tuple[str, ...]:
    """The field names, for the test that every label has one (and no field lacks a label)."""
    return tuple(f.name.upper() for f in dataclasses.fields(WordClasses))
