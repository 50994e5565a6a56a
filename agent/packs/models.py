"""The pack format as strict pydantic models: what a pack author may write.

Every model forbids unknown keys.  Limits keep a hostile or broken pack from
exhausting memory or time when it is compiled.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from agent.engine.result import Category, Platform, Severity
from agent.engine.terms import LIST_NAME, parse_term
from agent.packs.regex_safety import check_regex

MAX_RULES_PER_PACK = 2_000
MAX_PHRASES_PER_RULE = 200_000
MAX_HASHES_PER_RULE = 200_000
MAX_PHRASE_CHARS = 200
MAX_EXCEPTIONS_PER_RULE = 1_000
MAX_CONTEXT_WORDS = 500
MAX_EXAMPLES_PER_RULE = 200
MAX_HASHED_WORDS = 8
MIN_SALT_HEX = 16
MAX_LIST_TERMS = 200_000
MAX_INLINE_TERMS = 10_000
MAX_LISTS_PER_PACK = 256
MAX_WITHIN = 50
MAX_CLAUSES = 8

Phrase = Annotated[str, Field(min_length=1, max_length=MAX_PHRASE_CHARS)]
Text = Annotated[str, Field(min_length=1, max_length=2_000)]
Url = Annotated[str, Field(pattern=r"^https?://\S+$", max_length=2_000)]


class Strict(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=False)


def _non_blank(values: list[str]) -> list[str]:
    for value in values:
        if not value.strip():
            raise ValueError("entries must not be blank")
    return values


class PhrasesMatch(Strict):
    type: Literal["phrases"]
    phrases: list[Phrase] = Field(min_length=1, max_length=MAX_PHRASES_PER_RULE)
    whole_word: bool = True
    case_sensitive: bool = False
    leet: bool = False

    _blank = field_validator("phrases")(_non_blank)

    @model_validator(mode="after")
    def _leet_needs_folding(self) -> PhrasesMatch:
        if self.leet and self.case_sensitive:
            raise ValueError("leet and case_sensitive cannot be combined")
        return self


class ContextWords(Strict):
    words: list[Phrase] = Field(min_length=1, max_length=MAX_CONTEXT_WORDS)
    window: int = Field(default=50, ge=1, le=1_000)

    _blank = field_validator("words")(_non_blank)


class PatternMatch(Strict):
    type: Literal["pattern"]
    regex: str = Field(min_length=1)
    group: str | None = None
    validator: str | None = None
    min_entropy: float | None = Field(default=None, gt=0, le=8)
    allowed_domains: list[Annotated[str, Field(min_length=1, max_length=253)]] | None = Field(
        default=None, max_length=1_000
    )
    context: ContextWords | None = None

    @field_validator("regex")
    @classmethod
    def _regex_is_safe(cls, value: str) -> str:
        check_regex(value)
        return value

    @field_validator("validator")
    @classmethod
    def _validator_is_known(cls, value: str | None) -> str | None:
        from agent.engine.validators import VALIDATORS

        if value is not None and value not in VALIDATORS:
            raise ValueError(
                f"unknown validator {value!r}; expected one of: {', '.join(sorted(VALIDATORS))}"
            )
        return value

    @model_validator(mode="after")
    def _options_fit(self) -> PatternMatch:
        if self.group is not None and self.group not in re.compile(self.regex).groupindex:
            raise ValueError(f"group {self.group!r} is not a named group (?P<{self.group}>...)")
        if self.min_entropy is not None and self.validator not in ("entropy", "secret_value"):
            raise ValueError("min_entropy only applies with validator: entropy or secret_value")
        if self.allowed_domains is not None and self.validator != "email_domain_not_allowed":
            raise ValueError(
                "allowed_domains only applies with validator: email_domain_not_allowed"
            )
        return self


class HashedPhrasesMatch(Strict):
    type: Literal["hashed_phrases"]
    salt: str = Field(pattern=r"^[0-9a-fA-F]+$", min_length=MIN_SALT_HEX, max_length=256)
    # "<sha256 hex>" or "<sha256 hex>:<check hex>" (see agent.engine.matchers.hashed)
    hashes: list[Annotated[str, Field(pattern=r"^[0-9a-fA-F]{64}(:[0-9a-fA-F]{5})?$")]] = Field(
        min_length=1, max_length=MAX_HASHES_PER_RULE
    )
    max_words: int = Field(default=4, ge=1, le=MAX_HASHED_WORDS)

    @field_validator("salt")
    @classmethod
    def _even_hex(cls, value: str) -> str:
        if len(value) % 2:
            raise ValueError("salt must have an even number of hex digits")
        return value


def _valid_terms(values: list[str]) -> list[str]:
    for value in values:
        parse_term(value)  # ValueError names the term and what is wrong with it
    return values


ListName = Annotated[str, Field(pattern=LIST_NAME.pattern)]
Side = Literal["before", "after", "either"]


class NearClause(Strict):
    """Evidence within ``within`` words of a primary term, on ``side`` of it."""

    terms: list[Phrase] = Field(min_length=1, max_length=MAX_INLINE_TERMS)
    within: int = Field(default=5, ge=0, le=MAX_WITHIN)
    side: Side = "either"

    _terms = field_validator("terms")(_valid_terms)


class Escalation(Strict):
    severity: Severity
    near: list[NearClause] = Field(min_length=1, max_length=MAX_CLAUSES)


class WordsMatch(Strict):
    type: Literal["words"]
    terms: list[Phrase] = Field(min_length=1, max_length=MAX_INLINE_TERMS)
    near: list[NearClause] = Field(default_factory=list, max_length=MAX_CLAUSES)
    not_near: list[NearClause] = Field(default_factory=list, max_length=MAX_CLAUSES)
    escalate: list[Escalation] = Field(default_factory=list, max_length=MAX_CLAUSES)

    _terms = field_validator("terms")(_valid_terms)


class ClassifierMatch(Strict):
    """A trained model's label reaching ``threshold`` (``models/<model>.json`` of this pack)."""

    type: Literal["classifier"]
    model: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]{0,63}$")
    label: str = Field(pattern=r"^[a-z][a-z0-9_]{0,63}$")
    threshold: float = Field(default=0.8, ge=0.5, lt=1.0)
    # Terms one of which must stand in the sentence the finding covers: the model weighs
    # the whole post, the lexicon anchors it (and keeps it quiet on text it never saw).
    anchor: list[Phrase] = Field(default_factory=list, max_length=MAX_INLINE_TERMS)

    _terms = field_validator("anchor")(_valid_terms)


SimpleMatch = Annotated[
    PhrasesMatch | PatternMatch | HashedPhrasesMatch | WordsMatch | ClassifierMatch,
    Field(discriminator="type"),
]


class ConditionalMatch(Strict):
    type: Literal["conditional"]
    trigger: SimpleMatch
    require: SimpleMatch


Match = Annotated[
    PhrasesMatch
    | PatternMatch
    | HashedPhrasesMatch
    | WordsMatch
    | ClassifierMatch
    | ConditionalMatch,
    Field(discriminator="type"),
]


class ListDef(Strict):
    """A named word list; a later pack may ``extend`` one an earlier pack defined."""

    description: Text | None = None
    terms: list[Phrase] = Field(default_factory=list, max_length=MAX_LIST_TERMS)
    extend: bool = False
    remove: list[Phrase] = Field(default_factory=list, max_length=MAX_LIST_TERMS)

    _terms = field_validator("terms", "remove")(_valid_terms)

    @model_validator(mode="after")
    def _coherent(self) -> ListDef:
        if not self.extend and self.description is None:
            raise ValueError("a list needs a description (one line: what its terms are)")
        if self.remove and not self.extend:
            raise ValueError("remove only applies with extend: true")
        if not self.terms and not self.remove:
            raise ValueError("a list needs terms" + (" or remove" if self.extend else ""))
        return self


class SuppressorDef(Strict):
    """Words that, near a finding, show it is not meant (reported speech, negation, …)."""

    description: Text
    terms: list[Phrase] = Field(min_length=1, max_length=MAX_INLINE_TERMS)
    within: int = Field(default=5, ge=0, le=MAX_WITHIN)
    side: Side = "either"
    categories: list[Category] = Field(default_factory=list)

    _terms = field_validator("terms")(_valid_terms)


class ListFile(Strict):
    lists: dict[ListName, ListDef] = Field(default_factory=dict, max_length=MAX_LISTS_PER_PACK)
    suppressors: dict[ListName, SuppressorDef] = Field(
        default_factory=dict, max_length=MAX_LISTS_PER_PACK
    )

    @model_validator(mode="after")
    def _not_empty(self) -> ListFile:
        if not self.lists and not self.suppressors:
            raise ValueError("a list file needs `lists:` or `suppressors:`")
        return self


def _as_utc(value: Any) -> Any:
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    if isinstance(value, date):
        return datetime.combine(value, time.min, tzinfo=UTC)
    return value


class ActiveWindow(Strict):
    from_: datetime | None = Field(default=None, alias="from")
    until: datetime | None = None

    _utc = field_validator("from_", "until", mode="before")(_as_utc)

    @model_validator(mode="after")
    def _ordered(self) -> ActiveWindow:
        if self.from_ is None and self.until is None:
            raise ValueError("active needs `from`, `until` or both")
        if self.from_ and self.until and self.from_ >= self.until:
            raise ValueError("active.from must be before active.until")
        return self

    def contains(self, now: datetime) -> bool:
        return (self.from_ is None or now >= self.from_) and (
            self.until is None or now < self.until
        )


class ExampleBase(Strict):
    text: str = Field(min_length=1, max_length=20_000)
    platform: Platform | None = None
    at: datetime | None = None

    _utc = field_validator("at", mode="before")(_as_utc)


class MatchExample(ExampleBase):
    matched: str | None = Field(default=None, min_length=1)


class NoMatchExample(ExampleBase):
    pass


class Examples(Strict):
    match: list[str | MatchExample] = Field(min_length=1, max_length=MAX_EXAMPLES_PER_RULE)
    no_match: list[str | NoMatchExample] = Field(min_length=1, max_length=MAX_EXAMPLES_PER_RULE)

    def positives(self) -> list[MatchExample]:
        return [MatchExample(text=e) if isinstance(e, str) else e for e in self.match]

    def negatives(self) -> list[NoMatchExample]:
        return [NoMatchExample(text=e) if isinstance(e, str) else e for e in self.no_match]


class RulePolicy(Strict):
    section: Text
    url: Url | None = None


class Rule(Strict):
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9_.-]*$", max_length=100)
    category: Category
    severity: Severity
    overridable: bool | None = None
    message: Text
    policy: RulePolicy
    consequence: Text
    suggestions: list[Text] = Field(default_factory=list, max_length=20)
    replacements: list[Annotated[str, Field(max_length=500)]] = Field(
        default_factory=list, max_length=20
    )
    platforms: list[Platform] | None = Field(default=None, min_length=1)
    active: ActiveWindow | None = None
    match: Match
    exceptions: list[Phrase] = Field(default_factory=list, max_length=MAX_EXCEPTIONS_PER_RULE)
    # Which suppressors apply; None: every suppressor declared for the rule's category.
    suppress: list[ListName] | None = Field(default=None, max_length=MAX_LISTS_PER_PACK)
    examples: Examples

    _blank = field_validator("exceptions")(_non_blank)


class RuleFile(Strict):
    rules: list[Rule] = Field(min_length=1, max_length=MAX_RULES_PER_PACK)


class PackPolicy(Strict):
    title: Text
    url: Url | None = None


class Adjustment(Strict):
    pack: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$", max_length=64)
    rule: str = Field(min_length=1, max_length=100)
    disable: bool = False
    severity: Severity | None = None
    overridable: bool | None = None

    @model_validator(mode="after")
    def _does_something(self) -> Adjustment:
        if not self.disable and self.severity is None and self.overridable is None:
            raise ValueError("an adjustment needs disable, severity or overridable")
        return self


class PackMeta(Strict):
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$", max_length=64)
    version: str = Field(pattern=r"^\d{1,9}(\.\d{1,9}){0,5}$")
    title: Text
    description: str | None = Field(default=None, max_length=5_000)
    owner: Text
    contact: Text
    policy: PackPolicy
    effective: date
    adjust: list[Adjustment] = Field(default_factory=list, max_length=MAX_RULES_PER_PACK)

    @field_validator("effective", mode="before")
    @classmethod
    def _date_only(cls, value: Any) -> Any:
        return value.date() if isinstance(value, datetime) else value

    @property
    def version_key(self) -> tuple[int, ...]:
        return version_key(self.version)


def version_key(version: str) -> tuple[int, ...]:
    """Dotted integers compare numerically: 2026.11.10 > 2026.11.9."""
    return tuple(int(part) for part in version.split("."))
