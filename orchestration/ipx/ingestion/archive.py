"""The archive of raw deliveries: every file kept byte for byte, named by its content hash.

Deliveries contain resident IDs and names, so the archive seals each file with AES-256-GCM in
1 MiB chunks (streaming, bounded memory). ``restore`` gives back the exact bytes, verified
against the SHA-256 the file is named by.

Sealed format: ``IPXA1`` | 8-byte random prefix | chunks, each ``len(4, big-endian) ||
ciphertext+tag``; chunk i uses nonce prefix || i (4 bytes) and associated data
``i || last-flag`` so chunks can be neither reordered nor dropped.
"""

from __future__ import annotations

import hashlib
import os
import struct
import tempfile
from pathlib import Path

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

MAGIC = b"IPXA1"
CHUNK = 1 << 20


class ArchiveError(RuntimeError):
    pass


def archive_path(archive_dir: Path, sha256: str, suffix: str) -> Path:
    return archive_dir / sha256[:2] / f"{sha256}{suffix}.sealed"


def hash_and_seal(source: Path, archive_dir: Path, key: bytes) -> tuple[str, int, Path]:
    """Stream ``source`` once: compute its SHA-256 and write a sealed copy into the archive.

    Returns (sha256 hex, size in bytes, archive path). Writing is atomic (temp file + rename);
    an archive entry that already exists is kept.
    """
    archive_dir.mkdir(parents=True, exist_ok=True)
    aes = AESGCM(key)
    prefix = os.urandom(8)
    digest = hashlib.sha256()
    size = 0
    fd, tmp_name = tempfile.mkstemp(prefix=".sealing-", dir=archive_dir)
    try:
        with source.open("rb") as src, os.fdopen(fd, "wb") as out:
            out.write(MAGIC + prefix)
            index = 0
            chunk = src.read(CHUNK)
            while True:
                following = src.read(CHUNK) if chunk else b""
                last = not following
                digest.update(chunk)
                size += len(chunk)
                nonce = prefix + struct.pack(">I", index)
                sealed = aes.encrypt(nonce, chunk, struct.pack(">I?", index, last))
                out.write(struct.pack(">I", len(sealed)) + sealed)
                if last:
                    break
                chunk, index = following, index + 1
        sha = digest.hexdigest()
        final = archive_path(archive_dir, sha, source.suffix)
        final.parent.mkdir(parents=True, exist_ok=True)
        if final.exists():
            os.unlink(tmp_name)
        else:
            os.replace(tmp_name, final)
        return sha, size, final
    except BaseException:
        if os.path.exists(tmp_name):
            os.unlink(tmp_name)
        raise


def restore(sealed: Path, key: bytes, out: Path) -> str:
    """Write the original bytes of a sealed archive entry to ``out``; return their SHA-256."""
    aes = AESGCM(key)
    digest = hashlib.sha256()
    with sealed.open("rb") as src, out.open("wb") as dst:
        if src.read(len(MAGIC)) != MAGIC:
            raise ArchiveError(f"{sealed}: not a sealed ipx archive entry")
        prefix = src.read(8)
        index = 0
        while True:
            head = src.read(4)
            if len(head) != 4:
                raise ArchiveError(f"{sealed}: truncated")
            (length,) = struct.unpack(">I", head)
            sealed_chunk = src.read(length)
            nonce = prefix + struct.pack(">I", index)
            last = src.peek(1)[:1] == b"" if hasattr(src, "peek") else False
            try:
                plain = aes.decrypt(nonce, sealed_chunk, struct.pack(">I?", index, last))
            except Exception as exc:  # InvalidTag: wrong key or damaged entry
                raise ArchiveError(f"{sealed}: cannot be opened with this key or is damaged") from exc
            digest.update(plain)
            dst.write(plain)
            if last:
                break
            index += 1
    expected = sealed.name.split(".")[0]
    if digest.hexdigest() != expected:
        raise ArchiveError(f"{sealed}: restored bytes do not match their hash")
    return expected
