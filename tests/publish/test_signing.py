from __future__ import annotations

import base64
import os
import stat
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from agent.errors import UserError
from agent.publish.keys import generate_key, load_private_key, parse_public_key, public_key_b64
from agent.publish.signing import SignatureError, sign_index, verify_index

INDEX = b'{"serial": 1}\n'


def test_keygen_writes_an_owner_only_pem_and_refuses_to_overwrite(tmp_path: Path) -> None:
    path = tmp_path / "signing.pem"
    key = generate_key(path)
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert public_key_b64(load_private_key(path)) == public_key_b64(key)
    with pytest.raises(UserError, match="refusing to overwrite"):
        generate_key(path)


def test_loading_something_else_is_a_one_line_error(tmp_path: Path) -> None:
    bogus = tmp_path / "bogus.pem"
    bogus.write_text("hello")
    with pytest.raises(UserError, match="not an unencrypted PEM private key"):
        load_private_key(bogus)
    with pytest.raises(UserError, match="cannot read"):
        load_private_key(tmp_path / "missing.pem")


@pytest.mark.parametrize(
    ("text", "reason"), [("not base64!", "not valid base64"), ("AAAA", "3 bytes")]
)
def test_bad_pinned_keys_are_explained(text: str, reason: str) -> None:
    with pytest.raises(ValueError, match=reason):
        parse_public_key(text)


def test_signature_verifies_with_the_pinned_key() -> None:
    key = Ed25519PrivateKey.generate()
    pinned = public_key_b64(key)
    assert verify_index(INDEX, sign_index(INDEX, [key]), [pinned]) == pinned


@pytest.mark.parametrize(
    ("tamper", "reason"),
    [
        (lambda i, s: (i + b" ", s), "does not match its contents"),
        (lambda i, s: (i, None), "not signed"),
        (lambda i, s: (i, b""), "not signed"),
        (lambda i, s: (i, b"{}"), "malformed"),
        (lambda i, s: (i, s.replace(b'"signature": "', b'"signature": "AAAA')), "does not match"),
    ],
)
def test_tampering_is_refused(tamper, reason: str) -> None:  # type: ignore[no-untyped-def]
    key = Ed25519PrivateKey.generate()
    index, sig = tamper(INDEX, sign_index(INDEX, [key]))
    with pytest.raises(SignatureError, match=reason):
        verify_index(index, sig, [public_key_b64(key)])


def test_unknown_key_and_rotation() -> None:
    old, new, stranger = (Ed25519PrivateKey.generate() for _ in range(3))
    both = sign_index(INDEX, [old, new])
    assert verify_index(INDEX, both, [public_key_b64(old)]) == public_key_b64(old)
    assert verify_index(INDEX, both, [public_key_b64(new)]) == public_key_b64(new)
    with pytest.raises(SignatureError, match="does not trust"):
        verify_index(INDEX, both, [public_key_b64(stranger)])


def test_a_signature_copied_under_a_trusted_key_name_is_refused() -> None:
    trusted, attacker = Ed25519PrivateKey.generate(), Ed25519PrivateKey.generate()
    forged = sign_index(INDEX, [attacker]).replace(
        public_key_b64(attacker).encode(), public_key_b64(trusted).encode()
    )
    with pytest.raises(SignatureError, match="does not match"):
        verify_index(INDEX, forged, [public_key_b64(trusted)])
    assert base64.b64decode(public_key_b64(trusted))  # keys are plain base64
