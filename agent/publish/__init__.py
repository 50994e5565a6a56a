"""Pack publishing: signing keys, the signed index, deterministic archives, the static site.

A published site is plain files, so any static web server or CDN hosts it unchanged::

    SITE/index.json                 the index: serial, expiry, and every pack's sha256 and size
    SITE/index.json.sig             detached Ed25519 signatures over the exact bytes of index.json
    SITE/packs/<id>-<version>.tar.gz

Agents verify the signature against their pinned keys before they read the index.
"""
