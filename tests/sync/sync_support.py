"""Building blocks for sync tests: small real packs, a publisher, a settable clock."""

from __future__ import annotations

import socket
import textwrap
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from agent.publish.index import PackIndex
from agent.publish.keys import public_key_b64
from agent.publish.site import build_site

T0 = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)


def write_pack(root: Path, pack_id: str, version: str, phrase: str) -> Path:
    """A one-rule pack that flags ``phrase``; its version shows in every finding."""
    pack = root / pack_id
    (pack / "rules").mkdir(parents=True, exist_ok=True)
    (pack / "pack.yaml").write_text(
        textwrap.dedent(
            f"""\
            id: {pack_id}
            version: "{version}"
            title: Test pack {pack_id}
            owner: Test
            contact: test@example.com
            policy:
              title: Test policy
            effective: 2026-01-01
            """
        ),
        encoding="utf-8",
    )
    (pack / "rules" / "confidential.yaml").write_text(
        textwrap.dedent(
            f"""\
            rules:
              - id: confidential.codename
                category: confidential
                severity: warn
                message: An internal codename.
                policy:
                  section: "1 Codenames"
                consequence: The leak is investigated.
                match:
                  type: phrases
                  phrases: ["{phrase}"]
                examples:
                  match: ["we ship {phrase} soon"]
                  no_match: ["we ship the product soon"]
            """
        ),
        encoding="utf-8",
    )
    return pack


@dataclass
class Clock:
    now: datetime = T0

    def __call__(self) -> datetime:
        return self.now


@dataclass
class Publisher:
    """IT's side: pack sources and a site directory, published with ``build_site``."""

    workdir: Path
    keys: list[Ed25519PrivateKey] = field(default_factory=lambda: [Ed25519PrivateKey.generate()])
    serial: int = 0

    @property
    def site(self) -> Path:
        return self.workdir / "site"

    @property
    def public_keys(self) -> list[str]:
        return [public_key_b64(k) for k in self.keys]

    def publish(
        self,
        version: str,
        *,
        phrase: str | None = None,
        pack_id: str = "acme",
        now: datetime = T0,
        expires_in: timedelta = timedelta(days=30),
        serial: int | None = None,
        edit: Callable[[Path], None] | None = None,
    ) -> PackIndex:
        """Write pack ``version`` (``edit`` may then break it) and publish it with a new serial."""
        source = write_pack(
            self.workdir / "src" / version,
            pack_id,
            version,
            phrase or f"project {pack_id} {version.replace('.', 'x')}",
        )
        if edit is not None:
            edit(source)
        self.serial = serial if serial is not None else self.serial + 1
        return build_site(
            [source], self.keys, self.site, expires_in=expires_in, now=now, serial=self.serial
        )


def closed_port() -> int:
    """A loopback port nothing listens on: connections are refused."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])
