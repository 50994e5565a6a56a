"""``postguard extension pack``: a signed ``.crx`` and an ``updates.xml`` for self-hosting.

IT signs with its own RSA key (kept out of the repository); the extension id follows from
that key.  The packed manifest carries the key's public half (so the id is the same
wherever the extension is loaded) and ``update_url`` (so Chrome keeps fetching updates from
the same place).  The zip is deterministic: the same sources and key give the same file.
"""

from __future__ import annotations

import io
import json
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Final
from xml.etree import ElementTree as ET

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from agent.cli.extension_crx import extension_id, manifest_key, pack, public_key_der
from agent.errors import UserError
from agent.fsutil import WORLD_READABLE, read_regular_file, write_atomic

# What is not shipped: the unit tests and the saved site pages they run against.
SKIPPED_DIRS: Final = frozenset({"tests", "fixtures", "node_modules", "__pycache__"})
MAX_FILES: Final = 2000
MAX_TOTAL_BYTES: Final = 50 * 1024 * 1024
MAX_KEY_BYTES: Final = 64 * 1024
MIN_KEY_BITS: Final = 2048
_ZIP_TIME: Final = (1980, 1, 1, 0, 0, 0)  # fixed, so the same sources give the same zip
_VERSION: Final = re.compile(r"\d{1,9}(\.\d{1,9}){0,3}")
UPDATE_NS: Final = "http://www.google.com/update2/response"


@dataclass(frozen=True)
class Packed:
    extension_id: str
    version: str
    crx: Path
    updates: Path
    codebase: str
    update_url: str


def load_key(path: Path) -> rsa.RSAPrivateKey:
    try:
        data = read_regular_file(path, MAX_KEY_BYTES)
    except OSError as exc:
        raise UserError(f"cannot read the key {path}: {exc.strerror or exc}") from None
    try:
        key = serialization.load_pem_private_key(data, password=None)
    except (ValueError, TypeError) as exc:
        raise UserError(f"{path}: not an unencrypted PEM private key ({exc})") from None
    if not isinstance(key, rsa.RSAPrivateKey):
        raise UserError(f"{path}: Chrome signs extensions with RSA keys; this is another kind")
    if key.key_size < MIN_KEY_BITS:
        raise UserError(f"{path}: an RSA key of {key.key_size} bits; use {MIN_KEY_BITS} or more")
    return key


def build_zip(source: Path, manifest: dict[str, object]) -> bytes:
    """The extension's files (``manifest.json`` replaced by ``manifest``), deterministic."""
    files = sorted(
        p
        for p in source.rglob("*")
        if p.is_file()
        and not p.is_symlink()
        and not any(
            part in SKIPPED_DIRS or part.startswith(".") for part in p.relative_to(source).parts
        )
    )
    if len(files) > MAX_FILES:
        raise UserError(f"{source}: {len(files)} files; an extension has at most {MAX_FILES}")
    out = io.BytesIO()
    total = 0
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in files:
            name = path.relative_to(source).as_posix()
            if name == "manifest.json":
                data = (json.dumps(manifest, indent=2) + "\n").encode("utf-8")
            else:
                data = read_regular_file(path, MAX_TOTAL_BYTES)
            total += len(data)
            if total > MAX_TOTAL_BYTES:
                raise UserError(f"{source}: over {MAX_TOTAL_BYTES // 2**20} MiB of files")
            info = zipfile.ZipInfo(name, date_time=_ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, data)
    return out.getvalue()


def updates_xml(app_id: str, version: str, codebase: str) -> bytes:
    """The update manifest Chrome polls at the extension's ``update_url``."""
    ET.register_namespace("", UPDATE_NS)
    root = ET.Element(f"{{{UPDATE_NS}}}gupdate", {"protocol": "2.0"})
    app = ET.SubElement(root, f"{{{UPDATE_NS}}}app", {"appid": app_id})
    ET.SubElement(app, f"{{{UPDATE_NS}}}updatecheck", {"codebase": codebase, "version": version})
    ET.indent(root)
    body: bytes = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    return body + b"\n"


def pack_extension(source: Path, key_file: Path, base_url: str, out_dir: Path) -> Packed:
    """Sign ``source`` with ``key_file`` into ``out_dir``; ``base_url`` is where both are served."""
    if not base_url.startswith(("https://", "http://")) or any(c.isspace() for c in base_url):
        raise UserError(f"--base-url {base_url!r}: an http(s) URL of the folder serving the files")
    try:
        raw = read_regular_file(source / "manifest.json", 1024 * 1024)
        manifest = json.loads(raw)
    except OSError as exc:
        raise UserError(f"{source}/manifest.json: {exc.strerror or exc}") from None
    except ValueError as exc:
        raise UserError(f"{source}/manifest.json: not JSON ({exc})") from None
    if not isinstance(manifest, dict) or manifest.get("manifest_version") != 3:
        raise UserError(f"{source}/manifest.json: not a Manifest V3 extension")
    version = manifest.get("version")
    if not isinstance(version, str) or not _VERSION.fullmatch(version):
        raise UserError(f"{source}/manifest.json: version {version!r} is not like 1.2.3")
    key = load_key(key_file)
    base = base_url.rstrip("/")
    update_url = f"{base}/updates.xml"
    manifest = {**manifest, "key": manifest_key(key), "update_url": update_url}
    app_id = extension_id(public_key_der(key))
    crx_name = f"postguard-{version}.crx"
    codebase = f"{base}/{crx_name}"
    out_dir.mkdir(parents=True, exist_ok=True)
    crx = out_dir / crx_name
    updates = out_dir / "updates.xml"
    write_atomic(crx, pack(build_zip(source, manifest), key), mode=WORLD_READABLE)
    write_atomic(updates, updates_xml(app_id, version, codebase), mode=WORLD_READABLE)
    return Packed(app_id, version, crx, updates, codebase, update_url)
