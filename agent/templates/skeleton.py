"""Writing a company pack skeleton from the templates next to this module."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from string import Template
from typing import Final

from agent.errors import UserError
from agent.packs.hashing import hashed_entries, new_salt

TEMPLATES: Final = Path(__file__).parent
# The example codenames the template's hashed rule ships with (its examples use them).
EXAMPLE_CODENAMES: Final = ("Project Nightjar", "Bluebird")
# Names go into YAML scalars and regexes; this set needs no quoting in either.
COMPANY_NAME: Final = re.compile(r"[A-Za-z0-9][A-Za-z0-9 &.'-]{0,59}")
DOMAIN: Final = re.compile(r"(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}")


class Industry(StrEnum):
    GENERAL = "general"
    FINANCE = "finance"
    HEALTHCARE = "healthcare"


@dataclass(frozen=True)
class Skeleton:
    pack_id: str
    directory: Path
    files: list[Path]


def slug(company: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", company.lower()).strip("-") or "company"


def init_pack(
    company: str,
    industry: Industry,
    out_dir: Path,
    *,
    domain: str | None = None,
    now: datetime | None = None,
) -> Skeleton:
    """Render every template into ``out_dir`` (which must be empty or missing)."""
    company = " ".join(company.split())
    if not COMPANY_NAME.fullmatch(company):
        raise UserError(
            f"--company {company!r}: use letters, digits, spaces and & . ' - (at most 60)"
        )
    pack_id = slug(company)
    domain = (domain or f"{pack_id.replace('-', '')}.com").lower()
    if not DOMAIN.fullmatch(domain):
        raise UserError(f"--domain {domain!r} is not a DNS name like example.com")
    if out_dir.exists() and (not out_dir.is_dir() or any(out_dir.iterdir())):
        raise UserError(f"{out_dir} already exists and is not empty; choose another --out")
    today = (now or datetime.now(UTC)).date()
    salt = new_salt()
    digests, max_words = hashed_entries(list(EXAMPLE_CODENAMES), salt)
    values = {
        "company": company,
        "company_regex": re.escape(company).replace("'", "''"),
        "pack_id": pack_id,
        "version": f"{today.year}.{today.month}.1",
        "today": today.isoformat(),
        "contact": f"compliance@{domain}",
        "domain": domain,
        "domain_regex": re.escape(domain),
        "key_prefix": pack_id.replace("-", "_"),
        "salt": salt,
        "max_words": str(max_words),
        "hashes": "\n".join(f'        - "{d}"' for d in digests),
        "out_dir": str(out_dir),
    }
    sources = sorted((TEMPLATES / "pack").rglob("*.tmpl"))
    sources += sorted((TEMPLATES / "industry" / industry.value).glob("*.tmpl"))
    written: list[Path] = []
    try:
        for source in sources:
            target = _target_for(source, industry, out_dir)
            target.parent.mkdir(parents=True, exist_ok=True)
            text = Template(source.read_text(encoding="utf-8")).substitute(values)
            target.write_text(text, encoding="utf-8")
            written.append(target)
    except OSError as exc:
        raise UserError(f"cannot write the pack to {out_dir}: {exc.strerror}") from None
    return Skeleton(pack_id=pack_id, directory=out_dir, files=written)


def _target_for(source: Path, industry: Industry, out_dir: Path) -> Path:
    name = source.name.removesuffix(".tmpl")
    if source.is_relative_to(TEMPLATES / "industry"):
        return out_dir / "rules" / name
    return out_dir / source.relative_to(TEMPLATES / "pack").with_name(name)
