"""The agent's secrets: the pairing token and the per-device fingerprint key.

Both live in the OS keyring (service ``postguard``).  Where the keyring is missing or
insecure — the ``fail`` or ``null`` backend, a plaintext file backend, or no backend at all
(headless Linux raises NoKeyringError) — the agent warns once and keeps them in a 0600 file
in the user config dir instead.  A locked keyring can block forever waiting for a prompt, so
every keyring call runs in a daemon thread bounded by a timeout and counts as unavailable
when it does not return.

A secret found in the file is used as it is, without asking the keyring: moving it would
change the token under a paired extension.  So a device that keeps its secrets in the file
never loads the keyring library when the agent starts; it is imported only when a secret has
to be looked up in, or written to, the keyring.
"""

from __future__ import annotations

import json
import logging
import secrets
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, TypeVar

from agent.errors import UserError
from agent.fsutil import write_atomic

if TYPE_CHECKING:
    import keyring.backend

log = logging.getLogger("postguard.secrets")

SERVICE: Final = "postguard"
TOKEN: Final = "agent-token"  # noqa: S105 - a keyring entry name
FINGERPRINT_KEY: Final = "fingerprint-key"
SECRETS_FILE: Final = "secrets.json"
KEYRING_TIMEOUT_S: Final = 3.0

_T = TypeVar("_T")
_warned = False


class KeyringUnavailable(Exception):
    """The keyring cannot be used safely right now (missing, insecure, locked, failing)."""


def _insecure(backend: Any) -> bool:
    """True for backends that do not really protect a secret (as Poetry judges them)."""
    name = f"{type(backend).__module__}.{type(backend).__name__}".lower()
    if any(part in name for part in ("fail", "null", "plaintext")):
        return True
    children = getattr(backend, "backends", None)
    if isinstance(children, list):  # the chainer: usable only through a secure child
        return not children or all(_insecure(child) for child in children)
    return False


def _bounded(call: Callable[[], _T], timeout: float) -> _T:
    box: dict[str, Any] = {}

    def run() -> None:
        try:
            box["value"] = call()
        except BaseException as exc:  # noqa: BLE001 - carried to the caller's thread
            box["error"] = exc

    thread = threading.Thread(target=run, name="postguard-keyring", daemon=True)
    thread.start()
    thread.join(timeout)
    if thread.is_alive():
        raise KeyringUnavailable(f"the keyring did not answer within {timeout:g} s (locked?)")
    if "error" in box:
        raise KeyringUnavailable(f"the keyring failed: {type(box['error']).__name__}")
    value: _T = box["value"]
    return value


def _default_backend(timeout: float) -> keyring.backend.KeyringBackend:
    import keyring  # about 15 ms of imports (entry points): only when the keyring is asked

    return _bounded(keyring.get_keyring, timeout)


class SecretStore:
    """Named secrets, created on first use; keyring first, a 0600 file as the fallback."""

    def __init__(
        self,
        config_dir: Path,
        backend: keyring.backend.KeyringBackend | None = None,
        timeout: float = KEYRING_TIMEOUT_S,
    ) -> None:
        self._file = config_dir / SECRETS_FILE
        self._backend = backend
        self._timeout = timeout
        self._lock = threading.Lock()
        # What get_or_create returned: these secrets never change once created.
        self._known: dict[str, str] = {}
        self.location = "unknown"

    def get_or_create(self, name: str) -> str:
        """The secret ``name``; generated with ``secrets.token_urlsafe(32)`` the first time."""
        with self._lock:
            if name not in self._known:
                self._known[name] = self._get_or_create(name)
            return self._known[name]

    def _get_or_create(self, name: str) -> str:
        existing = self._read_file().get(name)
        if existing:  # the file is authoritative for what it holds (see the module doc)
            self.location = f"file {self._file}"
            return existing
        try:
            return self._keyring_get_or_create(name)
        except KeyringUnavailable as exc:
            _warn_once(str(exc), self._file)
            return self._file_get_or_create(name)

    def put(self, name: str, value: str) -> str:
        """Store a secret given by the user (e.g. the collector token); returns where."""
        with self._lock:
            self._known.pop(name, None)
            stored = self._read_file()
            try:
                backend = self._backend or _default_backend(self._timeout)
                if _insecure(backend):
                    raise KeyringUnavailable(f"insecure keyring ({type(backend).__name__})")
                _bounded(lambda: backend.set_password(SERVICE, name, value), self._timeout)
                if stored.pop(name, None) is not None:  # the keyring copy is now the only one
                    write_atomic(self._file, json.dumps(stored, indent=2).encode())
                self.location = f"keyring {type(backend).__name__}"
            except KeyringUnavailable as exc:
                _warn_once(str(exc), self._file)
                stored[name] = value
                write_atomic(self._file, json.dumps(stored, indent=2).encode())
                self.location = f"file {self._file}"
            return self.location

    def replace(self, name: str, value: str) -> str:
        """Swap a stored secret for ``value`` where the old one lives; returns where.

        A rotated token stays in ``secrets.json`` if that is where its predecessor was (so a
        device that keeps its secrets in the file still never asks the keyring at start);
        otherwise it goes to the keyring first, as :meth:`put` does.
        """
        with self._lock:
            stored = self._read_file()
            if name in stored:
                stored[name] = value
                write_atomic(self._file, json.dumps(stored, indent=2).encode())
                self._known[name] = value
                self.location = f"file {self._file}"
                return self.location
        location = self.put(name, value)
        with self._lock:
            self._known[name] = value
        return location

    def get(self, name: str) -> str | None:
        """A stored secret, or None; never creates one."""
        with self._lock:
            existing = self._read_file().get(name)
            if existing:
                return existing
            try:
                backend = self._backend or _default_backend(self._timeout)
                if _insecure(backend):
                    return None
                value = _bounded(lambda: backend.get_password(SERVICE, name), self._timeout)
            except KeyringUnavailable:
                return None
            return str(value) if value else None

    def delete(self, name: str) -> bool:
        """Remove a secret from the file and the keyring; True when one was stored."""
        with self._lock:
            self._known.pop(name, None)
            stored = self._read_file()
            found = stored.pop(name, None) is not None
            if found:
                write_atomic(self._file, json.dumps(stored, indent=2).encode())
            try:
                backend = self._backend or _default_backend(self._timeout)
                if _insecure(backend):
                    return found
                if not _bounded(lambda: backend.get_password(SERVICE, name), self._timeout):
                    return found
                _bounded(lambda: backend.delete_password(SERVICE, name), self._timeout)
            except KeyringUnavailable as exc:
                raise UserError(f"cannot remove {name!r} from the keyring: {exc}") from None
            return True

    def _keyring_get_or_create(self, name: str) -> str:
        backend = self._backend or _default_backend(self._timeout)
        if _insecure(backend):
            raise KeyringUnavailable(f"no secure keyring backend ({type(backend).__name__})")
        value = _bounded(lambda: backend.get_password(SERVICE, name), self._timeout)
        if not value:
            value = secrets.token_urlsafe(32)
            _bounded(lambda: backend.set_password(SERVICE, name, value), self._timeout)
        self.location = f"keyring {type(backend).__name__}"
        return str(value)

    def _file_get_or_create(self, name: str) -> str:
        stored = self._read_file()
        value = stored.get(name)
        if not value:
            value = secrets.token_urlsafe(32)
            stored[name] = value
            write_atomic(self._file, json.dumps(stored, indent=2).encode())
        self.location = f"file {self._file}"
        return value

    def _read_file(self) -> dict[str, str]:
        try:
            data = json.loads(self._file.read_bytes())
        except FileNotFoundError:
            return {}
        except (OSError, ValueError) as exc:
            raise UserError(f"{self._file}: unreadable secrets file: {exc}") from None
        return {str(k): str(v) for k, v in data.items()} if isinstance(data, dict) else {}


def _warn_once(reason: str, path: Path) -> None:
    global _warned
    if not _warned:
        _warned = True
        log.warning("keyring unavailable (%s); keeping secrets in %s (mode 0600)", reason, path)
