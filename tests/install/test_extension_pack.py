"""``postguard extension pack``: the .crx is what Chromium's own packer writes, the id follows
from the key, the update manifest names the package, and bad keys get one line."""

from __future__ import annotations

import base64
import io
import json
import struct
import subprocess
import sys
import zipfile
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from agent.cli.extension_crx import extension_id, pack

REPO = Path(__file__).resolve().parents[2]
EXTENSION = REPO / "extension"
CHROMIUM = Path("/usr/bin/chromium")
NS = {"u": "http://www.google.com/update2/response"}


def write_key(path: Path, key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey) -> Path:
    path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return path


def postguard(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "agent", *args],
        cwd=cwd,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(REPO), "HOME": str(cwd)},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def payload(crx: bytes) -> bytes:
    assert crx[:4] == b"Cr24" and struct.unpack("<I", crx[4:8])[0] == 3
    (header_len,) = struct.unpack("<I", crx[8:12])
    return crx[12 + header_len :]


@pytest.fixture(scope="module")
def key_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return write_key(tmp_path_factory.mktemp("key") / "it-key.pem", key)


@pytest.mark.slow
def test_the_crx_is_byte_for_byte_what_chromium_packs(tmp_path: Path, key_file: Path) -> None:
    assert CHROMIUM.exists(), "Debian's chromium is required: apt-get install chromium"
    source = tmp_path / "ext"
    source.mkdir()
    (source / "manifest.json").write_text('{"manifest_version": 3, "name": "t", "version": "1"}')
    (source / "a.js").write_text("console.log(1);\n")
    subprocess.run(
        [str(CHROMIUM), "--headless=new", "--no-sandbox", "--disable-gpu",
         f"--user-data-dir={tmp_path / 'profile'}", f"--pack-extension={source}",
         f"--pack-extension-key={key_file}"],
        capture_output=True, timeout=120, check=False,
    )  # fmt: skip
    theirs = (tmp_path / "ext.crx").read_bytes()
    key = serialization.load_pem_private_key(key_file.read_bytes(), password=None)
    assert isinstance(key, rsa.RSAPrivateKey)
    # The same zip, the same key: PKCS#1 v1.5 signatures are deterministic, so the header
    # written here must equal Chromium's to the byte.
    assert pack(payload(theirs), key) == theirs


def test_the_id_follows_from_the_key_as_chrome_computes_it() -> None:
    manifest = json.loads((EXTENSION / "manifest.json").read_text())
    # The id docs/extension.md gives for the repository's stable key.
    assert extension_id(base64.b64decode(manifest["key"])) == "fmiiiaehnajkhelcmmjanpbbckoigbbd"


def test_pack_writes_a_signed_crx_and_its_update_manifest(tmp_path: Path, key_file: Path) -> None:
    url = "https://it.example.com/postguard/"
    done = postguard("extension", "pack", str(EXTENSION), "--key", str(key_file),
                     "--base-url", url, "--out", "dist", cwd=tmp_path)  # fmt: skip
    assert done.returncode == 0, done.stderr
    version = json.loads((EXTENSION / "manifest.json").read_text())["version"]
    crx = tmp_path / "dist" / f"postguard-{version}.crx"
    key = serialization.load_pem_private_key(key_file.read_bytes(), password=None)
    public = key.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    app_id = extension_id(public)
    assert f"extension id: {app_id}" in done.stdout
    assert f"{app_id};https://it.example.com/postguard/updates.xml" in done.stdout

    archive = zipfile.ZipFile(io.BytesIO(payload(crx.read_bytes())))
    names = archive.namelist()
    assert "background/native.js" in names and "manifest.json" in names
    assert not [n for n in names if n.startswith(("tests/", "fixtures/"))]
    packed = json.loads(archive.read("manifest.json"))
    assert base64.b64decode(packed["key"]) == public, "the id is the key's wherever it loads"
    assert packed["update_url"] == "https://it.example.com/postguard/updates.xml"
    assert "nativeMessaging" in packed["permissions"]

    updates = ET.parse(tmp_path / "dist" / "updates.xml").getroot()
    check = updates.find("u:app/u:updatecheck", NS)
    assert updates.find("u:app", NS).get("appid") == app_id  # type: ignore[union-attr]
    assert check is not None and check.get("version") == version
    assert check.get("codebase") == f"https://it.example.com/postguard/postguard-{version}.crx"

    first = crx.read_bytes()
    assert postguard("extension", "pack", str(EXTENSION), "--key", str(key_file),
                     "--base-url", url, "--out", "dist", cwd=tmp_path).returncode == 0  # fmt: skip
    assert crx.read_bytes() == first, "the same sources and key give the same file"


@pytest.mark.parametrize(
    ("key", "why"),
    [
        (rsa.generate_private_key(public_exponent=65537, key_size=1024), "use 2048 or more"),
        (ec.generate_private_key(ec.SECP256R1()), "Chrome signs extensions with RSA keys"),
        (None, "not an unencrypted PEM private key"),
    ],
)
def test_bad_keys_are_refused_in_one_line(
    tmp_path: Path, key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey | None, why: str
) -> None:
    path = tmp_path / "key.pem"
    if key is None:
        path.write_text("not a key\n")
    else:
        write_key(path, key)
    done = postguard("extension", "pack", str(EXTENSION), "--key", str(path),
                     "--base-url", "https://x.example/", cwd=tmp_path)  # fmt: skip
    assert done.returncode == 2 and why in done.stderr
    assert done.stderr.count("\n") == 1 and "Traceback" not in done.stderr
    assert not (tmp_path / "dist").exists()


def test_a_folder_without_a_manifest_is_refused(tmp_path: Path, key_file: Path) -> None:
    done = postguard("extension", "pack", str(tmp_path / "missing"), "--key", str(key_file),
                     "--base-url", "https://x.example/", cwd=tmp_path)  # fmt: skip
    assert done.returncode == 2 and "manifest.json" in done.stderr
