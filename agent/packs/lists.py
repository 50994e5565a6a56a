"""Named word lists and suppressors across a layered pack set.

Lists share one namespace: the baseline defines ``competitor`` and a company
pack loaded after it writes ``competitor: {extend: true, terms: [...]}`` to add
its rivals (or ``remove`` a term that misfires for it).  Every ``$name`` in a
list, a rule or a suppressor must name a list of the set, and lists may not
include each other in a circle.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from agent.engine.result import Category
from agent.engine.terms import TermKind, composition, list_refs, parse_term, phrase_refs
from agent.packs.errors import PackError
from agent.packs.models import (
    ClassifierMatch,
    ConditionalMatch,
    ListFile,
    Match,
    PatternMatch,
    Rule,
    Side,
    WordsMatch,
)
from agent.packs.yaml_source import LineDict

if TYPE_CHECKING:
    from agent.packs.loader import Pack, SourcedRule

MAX_REF_DEPTH = 8


@dataclass(frozen=True, slots=True)
class SourcedListFile:
    parsed: ListFile
    path: Path
    data: Any  # the LineDict it was read from, for line numbers

    def line(self, section: str, name: str) -> int | None:
        block = self.data.get(section) if isinstance(self.data, LineDict) else None
        return block.key_lines.get(name) if isinstance(block, LineDict) else None


@dataclass(frozen=True, slots=True)
class LayeredList:
    name: str
    description: str
    terms: tuple[str, ...]
    pack: str  # the pack that defined it
    extended_by: tuple[str, ...]  # later packs that added or removed terms


@dataclass(frozen=True, slots=True)
class LayeredSuppressor:
    name: str
    description: str
    terms: tuple[str, ...]
    within: int
    side: Side
    categories: frozenset[Category]
    pack: str


def _key(term: str) -> str:
    return " ".join(term.casefold().split())


def layer_lists(
    packs: Sequence[Pack],
    rules: Sequence[tuple[str, SourcedRule]],
    issues: list[PackError],
) -> tuple[dict[str, LayeredList], dict[str, LayeredSuppressor]] | None:
    """Merge every pack's lists in load order and check every reference; None on problems."""
    before = len(issues)
    lists: dict[str, LayeredList] = {}
    suppressors: dict[str, LayeredSuppressor] = {}
    where: dict[str, tuple[Path, int | None]] = {}
    for pack in packs:
        pack_id = pack.meta.id
        for source in pack.list_files:
            for name, spec in source.parsed.lists.items():
                line = source.line("lists", name)
                earlier = lists.get(name)
                if spec.extend:
                    if earlier is None:
                        issues.append(
                            PackError(
                                f"lists.{name}: extend: true, but no pack loaded before"
                                f" defines a list {name!r}",
                                path=source.path,
                                line=line,
                            )
                        )
                        continue
                    if earlier.pack == pack_id:
                        issues.append(_twice(name, where[name], source.path, line))
                        continue
                    dropped = {_key(t) for t in spec.remove}
                    kept = [t for t in earlier.terms if _key(t) not in dropped]
                    lists[name] = LayeredList(
                        name,
                        earlier.description,
                        tuple(dict.fromkeys([*kept, *spec.terms])),
                        earlier.pack,
                        (*earlier.extended_by, pack_id),
                    )
                    continue
                if earlier is not None:
                    if earlier.pack == pack_id:
                        issues.append(_twice(name, where[name], source.path, line))
                    else:
                        issues.append(
                            PackError(
                                f"lists.{name}: pack {earlier.pack!r} already defines this list;"
                                " write `extend: true` to add to it",
                                path=source.path,
                                line=line,
                            )
                        )
                    continue
                assert spec.description is not None  # the model requires it without extend
                lists[name] = LayeredList(
                    name, spec.description, tuple(dict.fromkeys(spec.terms)), pack_id, ()
                )
                where[name] = (source.path, line)
            for name, sup in source.parsed.suppressors.items():
                line = source.line("suppressors", name)
                if name in suppressors:
                    issues.append(
                        PackError(
                            f"suppressors.{name}: already defined by pack"
                            f" {suppressors[name].pack!r}",
                            path=source.path,
                            line=line,
                        )
                    )
                    continue
                suppressors[name] = LayeredSuppressor(
                    name,
                    sup.description,
                    tuple(sup.terms),
                    sup.within,
                    sup.side,
                    frozenset(sup.categories),
                    pack_id,
                )
    # References are checked once every pack is in: a list may name one defined later.
    for pack in packs:
        for source in pack.list_files:
            for name, sup in source.parsed.suppressors.items():
                line = source.line("suppressors", name)
                _check_refs(sup.terms, lists, issues, source.path, line, f"suppressors.{name}")
            for name, spec in source.parsed.lists.items():
                line = source.line("lists", name)
                _check_refs(spec.terms, lists, issues, source.path, line, f"lists.{name}")
    if len(issues) > before:
        return None
    _check_cycles(lists, where, issues)
    if len(issues) > before:
        return None
    terms_of = {name: spec.terms for name, spec in lists.items()}
    for pack in packs:
        for source in pack.list_files:
            for name, sup in source.parsed.suppressors.items():
                line = source.line("suppressors", name)
                _check_composed(
                    sup.terms, terms_of, issues, source.path, line, f"suppressors.{name}"
                )
            for name, spec in source.parsed.lists.items():
                line = source.line("lists", name)
                _check_composed(spec.terms, terms_of, issues, source.path, line, f"lists.{name}")
    for _pack_id, sourced in rules:
        rule = sourced.rule
        _check_refs(_rule_terms(rule), lists, issues, sourced.path, sourced.line, f"rule {rule.id}")
        if len(issues) == before:
            _check_composed(
                _rule_terms(rule), terms_of, issues, sourced.path, sourced.line, f"rule {rule.id}"
            )
        for name in rule.suppress or ():
            if name not in suppressors:
                known = ", ".join(sorted(suppressors)) or "none are defined"
                issues.append(
                    PackError(
                        f"rule {rule.id}: suppress: unknown suppressor {name!r} ({known})",
                        path=sourced.path,
                        line=sourced.line,
                    )
                )
    if len(issues) > before:
        return None
    return lists, suppressors


def _twice(name: str, first: tuple[Path, int | None], path: Path, line: int | None) -> PackError:
    return PackError(
        f"lists.{name}: defined twice in one pack (first at {first[0]}:{first[1]})",
        path=path,
        line=line,
    )


def _check_refs(
    terms: Iterable[str],
    lists: dict[str, LayeredList],
    issues: list[PackError],
    path: Path,
    line: int | None,
    what: str,
) -> None:
    for name in list_refs(tuple(terms)):
        if name not in lists:
            issues.append(
                PackError(
                    f"{what}: unknown list ${name} (lists are defined in lists/*.yaml of this"
                    " pack or of a pack loaded before it)",
                    path=path,
                    line=line,
                )
            )


def _check_composed(
    terms: Iterable[str],
    lists: Mapping[str, Sequence[str]],
    issues: list[PackError],
    path: Path,
    line: int | None,
    what: str,
) -> None:
    """Check every phrase with lists inside at load, so a bad one is an error here."""
    for raw in terms:
        term = parse_term(raw)  # the model has checked every term's syntax
        if term.kind not in (TermKind.WORDS, TermKind.EXACT) or not phrase_refs(term.value):
            continue
        try:
            composition(term.value, lists)
        except ValueError as exc:
            issues.append(PackError(f"{what}: {exc}", path=path, line=line))


def _check_cycles(
    lists: dict[str, LayeredList],
    where: dict[str, tuple[Path, int | None]],
    issues: list[PackError],
) -> None:
    depth: dict[str, int] = {}

    def visit(name: str, trail: tuple[str, ...]) -> int:
        if name in trail:
            raise _Cycle((*trail[trail.index(name) :], name))
        if name in depth:
            return depth[name]
        inner = [visit(ref, (*trail, name)) for ref in list_refs(lists[name].terms) if ref in lists]
        depth[name] = 1 + max(inner, default=0)
        return depth[name]

    for name in lists:
        try:
            if visit(name, ()) > MAX_REF_DEPTH:
                path, line = where.get(name, (Path("lists"), None))
                issues.append(
                    PackError(
                        f"lists.{name}: lists nest more than {MAX_REF_DEPTH} deep",
                        path=path,
                        line=line,
                    )
                )
                return
        except _Cycle as cycle:
            path, line = where.get(cycle.names[0], (Path("lists"), None))
            issues.append(
                PackError(
                    "lists include each other in a circle: "
                    + " → ".join(f"${n}" for n in cycle.names),
                    path=path,
                    line=line,
                )
            )
            return


class _Cycle(Exception):
    def __init__(self, names: tuple[str, ...]) -> None:
        super().__init__(names)
        self.names = names


def _rule_terms(rule: Rule) -> list[str]:
    return _match_terms(rule.match)


def _match_terms(match: Match | Any) -> list[str]:
    if isinstance(match, WordsMatch):
        terms = list(match.terms)
        for clause in (*match.near, *match.not_near):
            terms.extend(clause.terms)
        for step in match.escalate:
            for clause in step.near:
                terms.extend(clause.terms)
        return terms
    if isinstance(match, ConditionalMatch):
        return [*_match_terms(match.trigger), *_match_terms(match.require)]
    if isinstance(match, PatternMatch) and match.context is not None:
        return list(match.context.words)
    if isinstance(match, ClassifierMatch):
        return list(match.anchor)
    return []
