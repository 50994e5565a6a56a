"""Load pack directories into validated models and layer them into one rule set.

``load_pack_set(dirs)`` is the one entry point: it raises :class:`PackError`
with ``file:line`` on the first problem.  ``pack_issues(dirs)`` returns every
problem it can find, for ``postguard pack lint``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from agent.engine.result import PackRef, Severity
from agent.packs.errors import PackError
from agent.packs.issues import issues_from
from agent.packs.lists import LayeredList, LayeredSuppressor, SourcedListFile, layer_lists
from agent.packs.model_file import ModelFile, load_model
from agent.packs.models import (
    MAX_RULES_PER_PACK,
    ClassifierMatch,
    ConditionalMatch,
    ListFile,
    Match,
    PackMeta,
    Rule,
    RuleFile,
)
from agent.packs.yaml_source import LineDict, LineList, load_yaml

MAX_PACKS = 32
MAX_RULE_FILES = 200
MAX_LIST_FILES = 200


@dataclass(frozen=True, slots=True)
class SourcedRule:
    rule: Rule
    path: Path
    line: int | None


@dataclass(frozen=True, slots=True)
class Pack:
    directory: Path
    meta: PackMeta
    rules: tuple[SourcedRule, ...]
    list_files: tuple[SourcedListFile, ...] = ()
    models: dict[str, ModelFile] = field(default_factory=dict)  # models/<name>.json by name

    @property
    def ref(self) -> PackRef:
        return PackRef(id=self.meta.id, version=self.meta.version)


@dataclass(frozen=True, slots=True)
class EffectiveRule:
    """A rule as it applies after every later pack's ``adjust`` entries."""

    pack: Pack
    source: SourcedRule
    severity: Severity
    overridable: bool
    # What the pack (or a later adjust) said of overridable; None: follows the severity,
    # which a finding may raise (a rule's ``escalate``).
    explicit_overridable: bool | None = None

    @property
    def rule(self) -> Rule:
        return self.source.rule


@dataclass(frozen=True, slots=True)
class PackSet:
    packs: tuple[Pack, ...]
    rules: tuple[EffectiveRule, ...]  # enabled rules, in pack then file order
    disabled: tuple[tuple[str, str], ...]  # (pack id, rule id)
    lists: dict[str, LayeredList] = field(default_factory=dict)
    suppressors: dict[str, LayeredSuppressor] = field(default_factory=dict)


def load_pack_set(dirs: Sequence[Path]) -> PackSet:
    """Load, validate and layer packs (later packs adjust earlier ones)."""
    issues: list[PackError] = []
    pack_set = _load(dirs, issues)
    if issues:
        raise _first(issues)
    assert pack_set is not None
    return pack_set


def load_pack(directory: Path) -> Pack:
    issues: list[PackError] = []
    pack = _load_pack(directory, issues)
    if issues or pack is None:
        raise _first(issues)
    return pack


def pack_issues(dirs: Sequence[Path]) -> list[PackError]:
    """Every problem in ``dirs`` (empty when the set loads cleanly)."""
    issues: list[PackError] = []
    _load(dirs, issues)
    return issues


def _first(issues: list[PackError]) -> PackError:
    if len(issues) == 1:
        return issues[0]
    first = issues[0]
    return PackError(f"{first.message} (and {len(issues) - 1} more problems)")


def _load(dirs: Sequence[Path], issues: list[PackError]) -> PackSet | None:
    if not dirs:
        issues.append(PackError("no pack directories given"))
        return None
    if len(dirs) > MAX_PACKS:
        issues.append(PackError(f"{len(dirs)} packs given; the limit is {MAX_PACKS}"))
        return None
    packs: list[Pack] = []
    for directory in dirs:
        pack = _load_pack(Path(directory), issues)
        if pack is None:
            continue
        clash = next((p for p in packs if p.meta.id == pack.meta.id), None)
        if clash is not None:
            issues.append(
                PackError(
                    f"pack id {pack.meta.id!r} is already used by {clash.directory}",
                    path=pack.directory / "pack.yaml",
                )
            )
            continue
        packs.append(pack)
    if issues:
        return None
    return _layer(tuple(packs), issues)


def _validate(model: type[BaseModel], data: Any, path: Path, issues: list[PackError]) -> Any:
    if not isinstance(data, LineDict):
        issues.append(PackError("expected a mapping of keys at the top level", path=path, line=1))
        return None
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        issues.extend(issues_from(exc, data, path, model))
        return None


def _load_pack(directory: Path, issues: list[PackError]) -> Pack | None:
    if not directory.is_dir():
        issues.append(PackError("not a pack directory (expected pack.yaml inside)", path=directory))
        return None
    meta_path = directory / "pack.yaml"
    if not meta_path.exists():  # anything else there (a FIFO, a device) load_yaml refuses
        issues.append(PackError("missing pack.yaml", path=directory))
        return None
    before = len(issues)
    meta_data = _safe_load(meta_path, issues)
    meta: PackMeta | None = (
        _validate(PackMeta, meta_data, meta_path, issues) if meta_data is not None else None
    )
    rules: list[SourcedRule] = []
    rule_dir = directory / "rules"
    files = sorted([*rule_dir.glob("*.yaml"), *rule_dir.glob("*.yml")]) if rule_dir.is_dir() else []
    if len(files) > MAX_RULE_FILES:
        issues.append(
            PackError(f"{len(files)} rule files; the limit is {MAX_RULE_FILES}", path=rule_dir)
        )
        return None
    first_seen: dict[str, SourcedRule] = {}
    for path in files:
        data = _safe_load(path, issues)
        if data is None:
            continue
        parsed: RuleFile | None = _validate(RuleFile, data, path, issues)
        if parsed is None:
            continue
        lines = data["rules"].item_lines if isinstance(data.get("rules"), LineList) else []
        for index, rule in enumerate(parsed.rules):
            sourced = SourcedRule(rule, path, lines[index] if index < len(lines) else None)
            earlier = first_seen.get(rule.id)
            if earlier is not None:
                issues.append(
                    PackError(
                        f"duplicate rule id {rule.id!r} (first defined at"
                        f" {earlier.path}:{earlier.line})",
                        path=path,
                        line=sourced.line,
                    )
                )
                continue
            first_seen[rule.id] = sourced
            rules.append(sourced)
    if len(rules) > MAX_RULES_PER_PACK:
        issues.append(
            PackError(f"{len(rules)} rules; the limit is {MAX_RULES_PER_PACK}", path=directory)
        )
    list_files = _load_list_files(directory / "lists", issues)
    if (
        meta is not None
        and not rules
        and not meta.adjust
        and not list_files
        and len(issues) == before
    ):
        issues.append(PackError("the pack has no rules (expected rules/*.yaml)", path=directory))
    models = _load_models(directory, rules, issues)
    if meta is None or len(issues) > before:
        return None
    return Pack(directory, meta, tuple(rules), tuple(list_files), models)


def _classifiers(match: Match | object) -> list[ClassifierMatch]:
    if isinstance(match, ClassifierMatch):
        return [match]
    if isinstance(match, ConditionalMatch):
        return [*_classifiers(match.trigger), *_classifiers(match.require)]
    return []


def _load_models(
    directory: Path, rules: list[SourcedRule], issues: list[PackError]
) -> dict[str, ModelFile]:
    """Each model a rule names, read once; a label the model lacks is the rule's error."""
    models: dict[str, ModelFile] = {}
    failed: set[str] = set()
    for sourced in rules:
        for spec in _classifiers(sourced.rule.match):
            if spec.model not in models and spec.model not in failed:
                try:
                    models[spec.model] = load_model(directory / "models" / f"{spec.model}.json")
                except PackError as exc:
                    issues.append(exc)
                    failed.add(spec.model)
                    continue
            model = models.get(spec.model)
            if model is not None and spec.label not in model.labels:
                issues.append(
                    PackError(
                        f"rule {sourced.rule.id}: model {spec.model!r} has no label"
                        f" {spec.label!r} (it has: {', '.join(model.labels)})",
                        path=sourced.path,
                        line=sourced.line,
                    )
                )
    return models


def _load_list_files(list_dir: Path, issues: list[PackError]) -> list[SourcedListFile]:
    if not list_dir.is_dir():
        return []
    files = sorted([*list_dir.glob("*.yaml"), *list_dir.glob("*.yml")])
    if len(files) > MAX_LIST_FILES:
        issues.append(
            PackError(f"{len(files)} list files; the limit is {MAX_LIST_FILES}", path=list_dir)
        )
        return []
    loaded: list[SourcedListFile] = []
    for path in files:
        data = _safe_load(path, issues)
        if data is None:
            continue
        parsed: ListFile | None = _validate(ListFile, data, path, issues)
        if parsed is not None:
            loaded.append(SourcedListFile(parsed, path, data))
    return loaded


def _safe_load(path: Path, issues: list[PackError]) -> Any:
    try:
        data = load_yaml(path)
    except PackError as exc:
        issues.append(exc)
        return None
    if data is None:
        issues.append(PackError("the file is empty", path=path, line=1))
    return data


def _layer(packs: tuple[Pack, ...], issues: list[PackError]) -> PackSet | None:
    severity: dict[tuple[str, str], Severity] = {}
    overridable: dict[tuple[str, str], bool | None] = {}
    disabled: set[tuple[str, str]] = set()
    known: dict[str, set[str]] = {}
    for pack in packs:
        for adj_index, adjustment in enumerate(pack.meta.adjust):
            key = (adjustment.pack, adjustment.rule)
            problem = None
            if adjustment.pack == pack.meta.id:
                problem = "a pack cannot adjust its own rules; edit the rule instead"
            elif adjustment.pack not in known:
                problem = f"adjusts pack {adjustment.pack!r}, which is not loaded before this one"
            elif adjustment.rule not in known[adjustment.pack]:
                problem = f"pack {adjustment.pack!r} has no rule {adjustment.rule!r}"
            if problem is not None:
                issues.append(
                    PackError(
                        f"adjust[{adj_index}]: {problem}",
                        path=pack.directory / "pack.yaml",
                        line=_adjust_line(pack, adj_index),
                    )
                )
                continue
            if adjustment.disable:
                disabled.add(key)
            if adjustment.severity is not None:
                severity[key] = adjustment.severity
            if adjustment.overridable is not None:
                overridable[key] = adjustment.overridable
        known[pack.meta.id] = {sourced.rule.id for sourced in pack.rules}
    if issues:
        return None
    effective: list[EffectiveRule] = []
    for pack in packs:
        for sourced in pack.rules:
            key = (pack.meta.id, sourced.rule.id)
            if key in disabled:
                continue
            level = severity.get(key, sourced.rule.severity)
            explicit = overridable.get(key, sourced.rule.overridable)
            allowed = explicit if explicit is not None else level is not Severity.BLOCK
            effective.append(EffectiveRule(pack, sourced, level, allowed, explicit))
    layered = layer_lists(packs, [(r.pack.meta.id, r.source) for r in effective], issues)
    if layered is None:
        return None
    lists, suppressors = layered
    return PackSet(packs, tuple(effective), tuple(sorted(disabled)), lists, suppressors)


def _adjust_line(pack: Pack, index: int) -> int | None:
    try:
        data = load_yaml(pack.directory / "pack.yaml")
    except PackError:
        return None
    adjust = data.get("adjust") if isinstance(data, LineDict) else None
    if isinstance(adjust, LineList) and index < len(adjust):
        return adjust.item_lines[index]
    return None
