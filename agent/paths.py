"""Where PostGuard finds its bundled packs."""

from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
BUNDLED_PACKS_DIR = REPO_ROOT / "policy_packs"
# Layer order matters: a later pack may disable or re-level an earlier pack's rules.
BUNDLED_PACKS: tuple[Path, ...] = (
    BUNDLED_PACKS_DIR / "baseline",
    BUNDLED_PACKS_DIR / "example-company",
)
