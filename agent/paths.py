"""Where PostGuard finds its bundled packs, installed or run from a checkout.

The bundled set is the vendor's ``baseline`` pack only: it is what an agent enforces before
IT configures anything and whenever no synced set loads, so it must hold nothing
company-specific.  An installed package carries it as package data under
``agent/bundled_packs/`` (``pyproject.toml`` maps ``policy_packs/`` there); a checkout reads
it from ``policy_packs/`` itself, so edits are live without a reinstall.
"""

from pathlib import Path

_PACKAGE_DIR = Path(__file__).resolve().parent
REPO_ROOT = _PACKAGE_DIR.parent


def _bundled_packs_dir() -> Path:
    installed = _PACKAGE_DIR / "bundled_packs"
    return installed if installed.is_dir() else REPO_ROOT / "policy_packs"


BUNDLED_PACKS_DIR = _bundled_packs_dir()
# Layer order matters: a later pack may disable or re-level an earlier pack's rules.
BUNDLED_PACKS: tuple[Path, ...] = (BUNDLED_PACKS_DIR / "baseline",)

# A fictional company's pack layered on the baseline, for the docs and the tests.  It lives
# only in a checkout (``examples/packs/``) and is never bundled: its hashed customer list
# would flag real company names on every machine that enforced it.
EXAMPLE_PACKS_DIR = REPO_ROOT / "examples" / "packs"
EXAMPLE_COMPANY = EXAMPLE_PACKS_DIR / "example-company"
