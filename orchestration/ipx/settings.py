"""Run-time settings from the environment: secrets, production mode.

``IPX_PSEUDONYM_KEY`` keys the HMAC that replaces resident IDs; ``IPX_ARCHIVE_KEY`` seals the
archived raw files. Without them a fixed demo key is used and every run says so loudly; with
``IPX_ENV=prod`` ipx refuses to run without them.
"""

from __future__ import annotations

import hashlib
import logging
import os
import sys

log = logging.getLogger("ipx")

DEMO_PSEUDONYM_KEY = "ipx-demo-pseudonym-key-NOT-FOR-PRODUCTION"
DEMO_ARCHIVE_KEY = "ipx-demo-archive-key-NOT-FOR-PRODUCTION"


class ConfigurationError(RuntimeError):
    """ipx cannot run as configured (missing secret in production, bad path, ...)."""


def is_production() -> bool:
    return os.environ.get("IPX_ENV", "").strip().lower() in {"prod", "production"}


def _secret(var: str, demo_value: str) -> tuple[bytes, bool]:
    value = os.environ.get(var, "")
    if value:
        return value.encode("utf-8"), False
    if is_production():
        raise ConfigurationError(f"{var} is not set: ipx refuses to run in production (IPX_ENV=prod) without it")
    return demo_value.encode("utf-8"), True


def pseudonym_key() -> tuple[bytes, bool]:
    """The HMAC key and whether it is the demo key."""
    return _secret("IPX_PSEUDONYM_KEY", DEMO_PSEUDONYM_KEY)


def archive_key(var: str = "IPX_ARCHIVE_KEY") -> tuple[bytes, bool]:
    """The 32-byte archive sealing key (SHA-256 of the secret in ``var``) and whether it is the
    demo key. ``var`` is another variable only for a key rotation's old key."""
    secret, demo = _secret(var, DEMO_ARCHIVE_KEY)
    return hashlib.sha256(secret).digest(), demo


def demo_key_warnings() -> list[str]:
    """Loud warnings for every secret that falls back to its demo value."""
    out = []
    if pseudonym_key()[1]:
        out.append(
            "WARNING: IPX_PSEUDONYM_KEY is not set - resident IDs are pseudonymised with the "
            "fixed DEMO key. Anyone with this source code can re-identify them. Set "
            "IPX_PSEUDONYM_KEY for real data."
        )
    if archive_key()[1]:
        out.append(
            "WARNING: IPX_ARCHIVE_KEY is not set - archived raw files are sealed with the fixed "
            "DEMO key. Set IPX_ARCHIVE_KEY for real data."
        )
    return out


def announce_demo_keys(stream=None) -> None:
    stream = stream or sys.stderr
    for line in demo_key_warnings():
        bar = "!" * min(len(line), 100)
        print(f"{bar}\n{line}\n{bar}", file=stream)
