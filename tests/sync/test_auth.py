"""A pack server behind a bearer token: the right token syncs, the token travels only to the
index's own origin, and a refused or missing token fails in one line, keeping the last good
packs."""

from __future__ import annotations

import re
import secrets
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, cast

import pytest
from aiohttp.test_utils import TestServer
from auth_support import AuthServer, MemoryKeyring
from keyring.backend import KeyringBackend
from keyring.backends.fail import Keyring as FailKeyring
from sync_support import Clock, Publisher

from agent.errors import UserError
from agent.security.secrets import SecretStore
from agent.sync.credentials import SECRET_PREFIX, BearerToken, PackServerCredentials
from agent.sync.status import SyncStateName, SyncStatus, read_record
from agent.sync.store import PackStore
from agent.sync.syncer import Outcome

TOKEN = "pgp_" + secrets.token_urlsafe(24)


@pytest.fixture
def secret_store(tmp_path: Path) -> SecretStore:
    return SecretStore(tmp_path / "config", backend=FailKeyring())


@pytest.fixture
def credentials(secret_store: SecretStore) -> PackServerCredentials:
    return PackServerCredentials(secret_store)


@pytest.fixture
async def pack_server(
    aiohttp_server: Callable[..., Awaitable[TestServer]], publisher: Publisher
) -> AuthServer:
    return await AuthServer(TOKEN).start(aiohttp_server, publisher.site)


async def test_the_right_token_syncs_and_goes_with_every_request(
    pack_server: AuthServer,
    publisher: Publisher,
    credentials: PackServerCredentials,
    make_syncer: Any,
) -> None:
    publisher.publish("1.0.0")
    credentials.save(pack_server.url(), TOKEN)
    syncer = make_syncer(pack_server.url(), publisher.public_keys, credentials=credentials)
    result = await syncer.sync_once()
    assert result.outcome is Outcome.ACTIVATED, result.message
    paths = [path for path, _ in pack_server.seen]
    assert paths[:2] == ["/index.json", "/index.json.sig"]
    assert [p for p in paths[2:] if p.startswith("/packs/")] == paths[2:] != []
    assert {auth for _, auth in pack_server.seen} == {f"Bearer {TOKEN}"}


@pytest.mark.parametrize(
    ("stored", "refusal", "reason"),
    [
        ("a-revoked-token", 401, "refused the token (401 Unauthorized for index.json)"),
        ("a-revoked-token", 403, "refused the token (403 Forbidden for index.json)"),
        (None, 401, "requires a token (401 Unauthorized for index.json)"),
    ],
)
async def test_a_refused_or_missing_token_fails_and_keeps_the_last_good_packs(
    pack_server: AuthServer,
    publisher: Publisher,
    credentials: PackServerCredentials,
    make_syncer: Any,
    store: PackStore,
    clock: Clock,
    stored: str | None,
    refusal: int,
    reason: str,
) -> None:
    pack_server.refusal = refusal
    publisher.publish("1.0.0")
    credentials.save(pack_server.url(), TOKEN)
    syncer = make_syncer(pack_server.url(), publisher.public_keys, credentials=credentials)
    assert (await syncer.sync_once()).outcome is Outcome.ACTIVATED

    publisher.publish("1.1.0")
    if stored is None:
        assert credentials.forget(pack_server.url()) == (pack_server.origin, True)
    else:
        credentials.save(pack_server.url(), stored)
    result = await syncer.sync_once()
    assert result.outcome is Outcome.FAILED  # backs off, like any server failure
    host = pack_server.origin.removeprefix("http://")
    assert result.message.startswith(f"the pack server {host} {reason}; ")
    assert "postguard sync login" in result.message
    assert "\n" not in result.message
    status = SyncStatus.of(read_record(store.root), clock())
    assert status.state is SyncStateName.ERROR
    assert status.last_error == result.message
    active = store.current()
    assert active is not None and active.index.packs[0].version == "1.0.0"

    credentials.save(pack_server.url(), TOKEN)  # logged in again: the next sync catches up
    assert (await syncer.sync_once()).outcome is Outcome.ACTIVATED
    active = store.current()
    assert active is not None and active.index.packs[0].version == "1.1.0"


@pytest.mark.parametrize("elsewhere", [False, True], ids=["same-origin", "other-origin"])
async def test_a_redirect_carries_the_token_only_within_its_origin(
    aiohttp_server: Callable[..., Awaitable[TestServer]],
    publisher: Publisher,
    credentials: PackServerCredentials,
    make_syncer: Any,
    elsewhere: bool,
) -> None:
    publisher.publish("1.0.0")
    home = AuthServer(TOKEN)
    # The other origin is the same host on another port: a different origin all the same.
    target = await AuthServer(TOKEN).start(aiohttp_server, publisher.site) if elsewhere else home
    await home.start(aiohttp_server, publisher.site, redirect_to=target)
    assert home.origin != target.origin or not elsewhere
    credentials.save(home.url(), TOKEN)
    syncer = make_syncer(
        home.url("/moved/index.json"), publisher.public_keys, credentials=credentials
    )
    result = await syncer.sync_once()

    assert home.headers_on("/moved/index.json") == [f"Bearer {TOKEN}"]
    if not elsewhere:
        assert home.headers_on("/index.json") == [f"Bearer {TOKEN}"]
        assert result.outcome is Outcome.ACTIVATED, result.message
        return
    assert target.headers_on("/index.json") == [None]  # followed, without the token
    assert result.outcome is Outcome.FAILED
    host = target.origin.removeprefix("http://")
    assert result.message.startswith(f"the pack server {host} requires a token")


@pytest.mark.parametrize(
    ("url", "sent"),
    [
        ("https://packs.example.com/postguard/index.json", True),
        ("https://PACKS.example.com:443/postguard/packs/acme-1.0.0.tar.gz", True),
        ("https://packs.example.com:8443/postguard/index.json", False),
        ("http://packs.example.com/postguard/index.json", False),
        ("https://cdn.example.com/postguard/packs/acme-1.0.0.tar.gz", False),
        ("https://packs.example.com.attacker.test/index.json", False),
        ("not a url", False),
    ],
)
def test_the_token_is_attached_only_on_its_own_origin(url: str, sent: bool) -> None:
    bearer = BearerToken("https://packs.example.com", TOKEN)
    expected = {"Authorization": f"Bearer {TOKEN}"} if sent else {}
    assert bearer.headers_for(url) == expected
    assert TOKEN not in repr(bearer)


@pytest.mark.parametrize(
    ("url", "origin"),
    [
        ("https://packs.example.com/postguard/index.json", "https://packs.example.com"),
        ("https://Packs.Example.com:443/", "https://packs.example.com"),
        ("https://packs.example.com:8443", "https://packs.example.com:8443"),
        ("http://127.0.0.1:8000/index.json", "http://127.0.0.1:8000"),
        ("http://localhost:8000/index.json", "http://localhost:8000"),
        ("http://[::1]:8000/index.json", "http://[::1]:8000"),
    ],
)
def test_tokens_are_kept_per_origin(
    credentials: PackServerCredentials, url: str, origin: str
) -> None:
    assert credentials.save(url, TOKEN)[0] == origin
    bearer = credentials.for_index(url)
    assert bearer is not None and bearer.origin == origin
    assert credentials.for_index("https://other.example.com/index.json") is None


@pytest.mark.parametrize(
    ("url", "token", "message"),
    [
        ("http://packs.example.com/index.json", TOKEN, "use https:// for a pack server"),
        ("http://10.0.0.5:8000/index.json", TOKEN, "the token would travel in clear"),
        ("https://me:pw@packs.example.com/index.json", TOKEN, "must not carry a user name"),
        ("ftp://packs.example.com/index.json", TOKEN, "is not an http(s) URL"),
        ("https://packs.example.com/index.json", "two words", "one word of printable ASCII"),
        ("https://packs.example.com/index.json", "line\nbreak", "one word of printable ASCII"),
        ("https://packs.example.com/index.json", "", "one word of printable ASCII"),
    ],
)
def test_unsafe_urls_and_malformed_tokens_are_refused(
    credentials: PackServerCredentials, tmp_path: Path, url: str, token: str, message: str
) -> None:
    with pytest.raises(UserError, match=re.escape(message)):
        credentials.save(url, token)
    assert not (tmp_path / "config" / "secrets.json").exists()


def test_a_token_stored_for_plain_http_elsewhere_is_never_sent(
    secret_store: SecretStore, credentials: PackServerCredentials
) -> None:
    secret_store.put(SECRET_PREFIX + "http://packs.example.com", TOKEN)  # e.g. a hand edit
    assert credentials.for_index("http://packs.example.com/index.json") is None


def test_a_secure_keyring_holds_the_token_and_logout_removes_it(tmp_path: Path) -> None:
    backend = MemoryKeyring()
    store = SecretStore(tmp_path / "config", backend=cast(KeyringBackend, backend))
    credentials = PackServerCredentials(store)
    origin, where = credentials.save("https://packs.example.com/index.json", TOKEN)
    assert where == "keyring MemoryKeyring"
    assert backend.entries == {("postguard", f"pack-server-token {origin}"): TOKEN}
    assert not (tmp_path / "config" / "secrets.json").exists()
    assert credentials.forget("https://packs.example.com") == (origin, True)
    assert backend.entries == {}
    assert credentials.forget("https://packs.example.com") == (origin, False)
    assert credentials.for_index("https://packs.example.com/index.json") is None


async def test_a_token_and_a_netrc_entry_for_the_same_host_is_a_one_line_error(
    pack_server: AuthServer,
    publisher: Publisher,
    credentials: PackServerCredentials,
    make_syncer: Any,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    netrc = tmp_path / "netrc"
    netrc.write_text("machine 127.0.0.1 login someone password elsewhere\n")
    netrc.chmod(0o600)
    monkeypatch.setenv("NETRC", str(netrc))  # read because the session trusts the environment
    publisher.publish("1.0.0")
    credentials.save(pack_server.url(), TOKEN)
    syncer = make_syncer(pack_server.url(), publisher.public_keys, credentials=credentials)
    result = await syncer.sync_once()
    assert result.outcome is Outcome.FAILED
    assert "the pack server token and other credentials for 127.0.0.1:" in result.message
    assert "remove one of them" in result.message
    assert TOKEN not in result.message
