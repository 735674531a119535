"""Keyed pseudonyms for resident IDs: HMAC-SHA256 over the normalised ID (spec section 1).

Ingestion computes the HMAC for whole columns inside DuckDB (``sql_expression``) using the
HMAC construction H((K xor opad) || H((K xor ipad) || m)) with DuckDB's ``sha256``; the
scalar ``pseudonymise`` is the reference the tests compare it with.
"""

from __future__ import annotations

import hashlib
import hmac
import unicodedata
from dataclasses import dataclass

BLOCK = 64


def normalise_resident_id(value: str) -> str:
    """Trimmed, half-width, upper-case ``X``: the form the pseudonym is computed on."""
    return unicodedata.normalize("NFKC", value).strip().upper()


def pseudonymise(value: str, key: bytes) -> str:
    return hmac.new(key, normalise_resident_id(value).encode("utf-8"), hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class HmacPads:
    """The two padded keys, passed to DuckDB as parameters (never spliced into SQL text)."""

    inner: bytes
    outer: bytes

    @classmethod
    def from_key(cls, key: bytes) -> HmacPads:
        if len(key) > BLOCK:
            key = hashlib.sha256(key).digest()
        key = key.ljust(BLOCK, b"\0")
        return cls(bytes(b ^ 0x36 for b in key), bytes(b ^ 0x5C for b in key))

    def parameters(self) -> dict[str, bytes]:
        return {"hmac_inner": self.inner, "hmac_outer": self.outer}


def sql_expression(value_sql: str) -> str:
    """SQL computing the pseudonym of an already-normalised ID expression."""
    return f"sha256($hmac_outer || unhex(sha256($hmac_inner || encode({value_sql}))))"
