"""The CRX3 package format Chrome installs self-hosted extensions from, and the extension id.

A CRX3 file is ``"Cr24"``, the format version (3) and the header length as little-endian
uint32s, the header, then the extension's zip.  The header is a protobuf ``CrxFileHeader``
(Chromium's ``components/crx_file/crx3.proto``) with two fields used here: one
``sha256_with_rsa`` proof (the public key and its signature) and ``signed_header_data``,
itself a ``SignedData`` message holding the 16-byte crx id.  The signature is RSA PKCS#1
v1.5 with SHA-256, by the ``cryptography`` library, over ``"CRX3 SignedData\\x00"``, the
signed data's length and bytes, and the zip.

Why the few protobuf fields are written here rather than with the ``protobuf`` library:
that library needs the message classes generated from the ``.proto`` by ``protoc`` (or a
descriptor built by hand, which is the same schema typed out again), and would be a
runtime dependency for three length-delimited fields.  The encoding below is byte-for-byte
what Chromium's own ``--pack-extension`` writes; a browser test compares the two.
"""

from __future__ import annotations

import base64
import hashlib
import struct
from typing import Final

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

MAGIC: Final = b"Cr24"
VERSION: Final = 3
SIGNATURE_CONTEXT: Final = b"CRX3 SignedData\x00"
# crx3.proto field numbers.
_SHA256_WITH_RSA: Final = 2
_SIGNED_HEADER_DATA: Final = 10000
_PUBLIC_KEY: Final = 1
_SIGNATURE: Final = 2
_CRX_ID: Final = 1


def public_key_der(key: rsa.RSAPrivateKey) -> bytes:
    """The SubjectPublicKeyInfo DER: what the manifest's ``key`` holds, base64-encoded."""
    return key.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def manifest_key(key: rsa.RSAPrivateKey) -> str:
    return base64.b64encode(public_key_der(key)).decode("ascii")


def crx_id(public_der: bytes) -> bytes:
    return hashlib.sha256(public_der).digest()[:16]


def extension_id(public_der: bytes) -> str:
    """Chrome's id: the first 16 bytes of SHA-256(public key), hex digits written as a–p."""
    return "".join(chr(ord("a") + int(digit, 16)) for digit in crx_id(public_der).hex())


def _varint(value: int) -> bytes:
    out = bytearray()
    while True:
        low, value = value & 0x7F, value >> 7
        out.append(low | (0x80 if value else 0))
        if not value:
            return bytes(out)


def _field(number: int, payload: bytes) -> bytes:
    """A length-delimited protobuf field (wire type 2)."""
    return _varint(number << 3 | 2) + _varint(len(payload)) + payload


def pack(zip_bytes: bytes, key: rsa.RSAPrivateKey) -> bytes:
    """The CRX3 file for ``zip_bytes``, signed with ``key``."""
    public_der = public_key_der(key)
    signed_data = _field(_CRX_ID, crx_id(public_der))
    message = SIGNATURE_CONTEXT + struct.pack("<I", len(signed_data)) + signed_data + zip_bytes
    signature = key.sign(message, padding.PKCS1v15(), hashes.SHA256())
    proof = _field(_PUBLIC_KEY, public_der) + _field(_SIGNATURE, signature)
    header = _field(_SHA256_WITH_RSA, proof) + _field(_SIGNED_HEADER_DATA, signed_data)
    return MAGIC + struct.pack("<II", VERSION, len(header)) + header + zip_bytes
