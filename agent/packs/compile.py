"""Compile a layered pack set into an :class:`Engine`: automata, regexes and hash tables
are built here, once.

``compile_dirs(dirs)`` loads, validates, layers and compiles; ``compile_engine(pack_set)``
compiles a set already loaded with :func:`agent.packs.load_pack_set`.

The compiler lives with the packs because it reads their models; the engine it
builds (``agent.engine``) imports nothing of the packs, so a compiled engine
loads from the start-up cache without the YAML loader or the pack models.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from agent.engine.classifier import ClassifierMatcher, LinearModel
from agent.engine.engine import Engine
from agent.engine.lists import ListCompiler
from agent.engine.matchers.base import Matcher
from agent.engine.matchers.conditional import ConditionalMatcher
from agent.engine.matchers.hashed import HashedIndex, HashedMatcher
from agent.engine.matchers.pattern import PatternContext, PatternMatcher
from agent.engine.matchers.phrases import PhraseIndex, PhrasesMatcher
from agent.engine.matchers.word_index import WordIndex
from agent.engine.matchers.words import Escalation, Near, WordsMatcher
from agent.engine.proximity import Window as WordWindow
from agent.engine.result import Platform, PolicyRef
from agent.engine.rule_info import PackInfo, RuleInfo
from agent.engine.rules import CompiledRule, Window
from agent.engine.text_index import TextIndex
from agent.packs.lists import LayeredSuppressor
from agent.packs.loader import EffectiveRule, Pack, PackSet, load_pack_set
from agent.packs.models import (
    ActiveWindow,
    ClassifierMatch,
    ConditionalMatch,
    HashedPhrasesMatch,
    Match,
    NearClause,
    PatternMatch,
    PhrasesMatch,
    WordsMatch,
)

ALL_PLATFORMS = frozenset(Platform)


def compile_dirs(dirs: Sequence[Path]) -> Engine:
    """Load, validate, layer and compile; raises ``PackError`` with file:line."""
    return compile_engine(load_pack_set(dirs))


def compile_engine(pack_set: PackSet) -> Engine:
    """The engine of a loaded, layered pack set."""
    phrases = PhraseIndex()
    hashed = HashedIndex()
    text_index = TextIndex()
    words = WordIndex()
    lists = ListCompiler(
        {name: spec.terms for name, spec in pack_set.lists.items()}, phrases, words
    )
    indexes = _Indexes(phrases, hashed, text_index, lists, pack_set.suppressors)
    contacts = layer_contacts(pack_set)
    rules = tuple(
        _compile_rule(rule, indexes, contacts[rule.pack.meta.id]) for rule in pack_set.rules
    )
    phrases.freeze(text_index.freeze())  # the folded pass serves the pre-checks too
    words.freeze()
    hashed.freeze()
    packs = tuple(
        PackInfo(
            ref=pack.ref,
            title=pack.meta.title,
            owner=pack.meta.owner,
            contact=pack.meta.contact,
            policy_title=pack.meta.policy.title,
            policy_url=pack.meta.policy.url,
            effective=pack.meta.effective,
            description=pack.meta.description,
        )
        for pack in pack_set.packs
    )
    return Engine(
        packs=packs,
        rules=rules,
        phrases=phrases,
        hashed=hashed,
        text_index=text_index,
        token_classes=lists.token_classes(),
        words=words,
    )


def layer_contacts(pack_set: PackSet) -> dict[str, str]:
    """Whom a finding of each pack's rules sends the employee to.

    The company layer knows its people: a baseline rule's finding names the
    contact of the last loaded pack that declares one, not the baseline's
    generic one; a pack with no later layer keeps its own.
    """
    contacts: dict[str, str] = {}
    latest = ""
    for pack in reversed(pack_set.packs):
        latest = latest or pack.meta.contact  # every pack declares one today; kept general
        contacts[pack.meta.id] = latest
    return contacts


@dataclass(frozen=True, slots=True)
class _Indexes:
    phrases: PhraseIndex
    hashed: HashedIndex
    text_index: TextIndex
    lists: ListCompiler
    suppressors: dict[str, LayeredSuppressor]
    # Runtime models by (pack id, model name): rules of one model share one, and its features.
    models: dict[tuple[str, str], LinearModel] = field(default_factory=dict)


def _compile_rule(effective: EffectiveRule, indexes: _Indexes, contact: str) -> CompiledRule:
    rule = effective.rule
    meta = effective.pack.meta
    phrases = indexes.phrases
    exception_slot = 0
    if rule.exceptions:
        exception_slot = phrases.new_slot()
        phrases.add(list(rule.exceptions), flavour="folded", whole_word=True, slot=exception_slot)
    info = RuleInfo(
        pack=effective.pack.ref,
        rule_id=rule.id,
        category=rule.category,
        severity=effective.severity,
        overridable=effective.overridable,
        message=rule.message,
        policy=PolicyRef(
            section=rule.policy.section,
            title=meta.policy.title,
            url=rule.policy.url or meta.policy.url,
        ),
        consequence=rule.consequence,
        contact=contact,
        suggestions=tuple(rule.suggestions),
        replacements=tuple(rule.replacements),
        platforms=frozenset(rule.platforms) if rule.platforms else ALL_PLATFORMS,
    )
    if rule.suppress is None:
        names = [n for n, s in indexes.suppressors.items() if rule.category in s.categories]
    else:
        names = list(rule.suppress)
    suppressors = tuple(
        Near(indexes.lists.clause(sup.terms), WordWindow(sup.within, sup.side))
        for sup in (indexes.suppressors[n] for n in names)
    )
    # A finding escalated to block cannot be overridden unless the rule says it can.
    escalated_overridable = effective.explicit_overridable is True
    return CompiledRule(
        info,
        _compile_match(rule.match, indexes, effective.pack),
        exception_slot,
        _window(rule.active),
        suppressors,
        escalated_overridable,
    )


def _window(active: ActiveWindow | None) -> Window | None:
    return None if active is None else Window(active.from_, active.until)


def _compile_match(match: Match, indexes: _Indexes, pack: Pack) -> Matcher:
    phrases, hashed = indexes.phrases, indexes.hashed
    if isinstance(match, PhrasesMatch):
        slot = phrases.new_slot()
        if match.case_sensitive:
            flavour = "cased"
        elif match.leet:
            flavour = "leet"
        else:
            flavour = "folded"
        phrases.add(list(match.phrases), flavour=flavour, whole_word=match.whole_word, slot=slot)
        return PhrasesMatcher(slot)
    if isinstance(match, PatternMatch):
        return _compile_pattern(match, indexes)
    if isinstance(match, WordsMatch):
        return _compile_words(match, indexes.lists)
    if isinstance(match, HashedPhrasesMatch):
        slot = phrases.new_slot()
        hashed.add(match.salt, list(match.hashes), match.max_words, slot)
        return HashedMatcher(slot)
    if isinstance(match, ConditionalMatch):
        return ConditionalMatcher(
            _compile_match(match.trigger, indexes, pack),
            _compile_match(match.require, indexes, pack),
        )
    if isinstance(match, ClassifierMatch):
        key = (pack.meta.id, match.model)
        model = indexes.models.get(key)
        if model is None:
            model = indexes.models[key] = pack.models[match.model].runtime()
        anchor = indexes.lists.clause(match.anchor) if match.anchor else None
        return ClassifierMatcher(model, model.labels.index(match.label), match.threshold, anchor)
    raise TypeError(f"unknown matcher {type(match).__name__}")  # pragma: no cover


def _compile_pattern(match: PatternMatch, indexes: _Indexes) -> PatternMatcher:
    context = None
    if match.context is not None:
        context = PatternContext(indexes.lists.clause(match.context.words), match.context.window)
    return PatternMatcher.compile(
        match.regex,
        indexes.text_index,
        group=match.group,
        validator=match.validator,
        min_entropy=match.min_entropy,
        allowed_domains=match.allowed_domains or (),
        context=context,
    )


def _near(clause: NearClause, lists: ListCompiler) -> Near:
    return Near(lists.clause(clause.terms), WordWindow(clause.within, clause.side))


def _compile_words(match: WordsMatch, lists: ListCompiler) -> WordsMatcher:
    return WordsMatcher(
        primary=lists.clause(match.terms),
        near=tuple(_near(c, lists) for c in match.near),
        not_near=tuple(_near(c, lists) for c in match.not_near),
        escalate=tuple(
            Escalation(step.severity, tuple(_near(c, lists) for c in step.near))
            for step in match.escalate
        ),
    )
