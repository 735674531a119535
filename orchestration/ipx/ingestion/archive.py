"""The archive of raw deliveries: every file kept byte for byte, named by its content hash.

Deliveries contain resident IDs and names, so the archive seals each file with AES-256-GCM in
1 MiB chunks (streaming, bounded memory). ``restore`` gives back the exact bytes, verified
against the SHA-256 the file is named by; ``reseal_archive`` moves every entry to a new key
(``ipx archive reseal``) without writing clear bytes to disk.

Sealed format: ``IPXA1`` | 8-byte random prefix | chunks, each ``len(4, big-endian) ||
ciphertext+tag``; chunk i uses nonce prefix || i (4 bytes) and associated data
``i || last-flag`` so chunks can be neither reordered nor dropped.
"""

from __future__ import annotations

import hashlib
import os
import struct
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

MAGIC = b"IPXA1"
CHUNK = 1 << 20
TEMP_PREFIX = ".sealing-"
RESEAL_PREFIX = ".resealing-"  # not swept by runs: a rotation may be under way beside them
_swept: set[Path] = set()


class ArchiveError(RuntimeError):
    pass


def archive_path(archive_dir: Path, sha256: str, suffix: str) -> Path:
    return archive_dir / sha256[:2] / f"{sha256}{suffix}.sealed"


def sweep_temporary_files(archive_dir: Path, pattern: str = TEMP_PREFIX + "*") -> None:
    """Remove what a sealing killed half-way (SIGKILL, power loss) left behind. Only the run that
    holds the warehouse's write lock seals into its archive, so no other sealing is under way;
    ``pattern`` names a rotation's temporary files instead, swept by the next rotation."""
    for leftover in archive_dir.glob(pattern):
        leftover.unlink(missing_ok=True)


def _write_sealed(chunks: Iterator[bytes], out, key: bytes) -> None:
    """Seal a stream of plain chunks (each at most CHUNK bytes, the last one possibly empty)."""
    aes = AESGCM(key)
    prefix = os.urandom(8)
    out.write(MAGIC + prefix)
    index = 0
    chunk = next(chunks, b"")
    while True:
        following = next(chunks, None)
        last = following is None
        nonce = prefix + struct.pack(">I", index)
        sealed = aes.encrypt(nonce, chunk, struct.pack(">I?", index, last))
        out.write(struct.pack(">I", len(sealed)) + sealed)
        if last:
            return
        chunk, index = following, index + 1


def _plain_chunks(sealed: Path, key: bytes) -> Iterator[bytes]:
    """The plain chunks of a sealed entry, each authenticated before it is given out."""
    aes = AESGCM(key)
    with sealed.open("rb") as src:
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
            last = src.peek(1)[:1] == b""
            try:
                plain = aes.decrypt(nonce, sealed_chunk, struct.pack(">I?", index, last))
            except Exception as exc:  # InvalidTag: wrong key or damaged entry
                raise ArchiveError(f"{sealed}: cannot be opened with this key or is damaged") from exc
            yield plain
            if last:
                return
            index += 1


def _file_chunks(source: Path) -> Iterator[bytes]:
    with source.open("rb") as src:
        while chunk := src.read(CHUNK):
            yield chunk


def hash_and_seal(source: Path, archive_dir: Path, key: bytes) -> tuple[str, int, Path]:
    """Stream ``source`` once: compute its SHA-256 and write a sealed copy into the archive.

    Returns (sha256 hex, size in bytes, archive path). Writing is atomic (temp file + rename);
    an archive entry that already exists is kept. The first sealing of a process into an archive
    first sweeps the temporary files of an interrupted one.
    """
    archive_dir.mkdir(parents=True, exist_ok=True)
    if archive_dir not in _swept:
        sweep_temporary_files(archive_dir)
        _swept.add(archive_dir)
    digest = hashlib.sha256()
    size = 0

    def counted() -> Iterator[bytes]:
        nonlocal size
        for chunk in _file_chunks(source):
            digest.update(chunk)
            size += len(chunk)
            yield chunk

    fd, tmp_name = tempfile.mkstemp(prefix=TEMP_PREFIX, dir=archive_dir)
    try:
        with os.fdopen(fd, "wb") as out:
            _write_sealed(counted(), out, key)
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


def _expected_sha(sealed: Path) -> str:
    return sealed.name.split(".")[0]


def restore(sealed: Path, key: bytes, out: Path) -> str:
    """Write the original bytes of a sealed archive entry to ``out``; return their SHA-256."""
    digest = hashlib.sha256()
    with out.open("wb") as dst:
        for plain in _plain_chunks(sealed, key):
            digest.update(plain)
            dst.write(plain)
    if digest.hexdigest() != _expected_sha(sealed):
        raise ArchiveError(f"{sealed}: restored bytes do not match their hash")
    return digest.hexdigest()


def opens_with(sealed: Path, key: bytes) -> bool:
    """Whether the first chunk of ``sealed`` authenticates under ``key``."""
    try:
        next(_plain_chunks(sealed, key))
        return True
    except ArchiveError:
        return False


def reseal(sealed: Path, old_key: bytes, new_key: bytes) -> None:
    """Seal an entry again under ``new_key``, never writing its clear bytes to disk: chunks are
    opened with ``old_key`` and sealed at once into a temporary file beside the entry, which
    replaces it only once every chunk authenticated and the whole matches the entry's hash."""
    digest = hashlib.sha256()

    def checked() -> Iterator[bytes]:
        for plain in _plain_chunks(sealed, old_key):
            digest.update(plain)
            yield plain

    fd, tmp_name = tempfile.mkstemp(prefix=RESEAL_PREFIX, dir=sealed.parent)
    try:
        with os.fdopen(fd, "wb") as out:
            _write_sealed(checked(), out, new_key)
        if digest.hexdigest() != _expected_sha(sealed):
            raise ArchiveError(f"{sealed}: opened bytes do not match their hash; left as it was")
        os.replace(tmp_name, sealed)
    except BaseException:
        if os.path.exists(tmp_name):
            os.unlink(tmp_name)
        raise


@dataclass
class ResealReport:
    resealed: int = 0
    already_new: int = 0
    failed: list[str] = field(default_factory=list)


def reseal_archive(archive_dir: Path, old_key: bytes, new_key: bytes) -> ResealReport:
    """Re-seal every entry of an archive from ``old_key`` to ``new_key`` (key rotation). Entries
    that already open with the new key are left alone, so an interrupted rotation is simply run
    again; entries that open with neither key are reported, not touched."""
    report = ResealReport()
    sweep_temporary_files(archive_dir, "*/" + RESEAL_PREFIX + "*")  # an earlier rotation cut short
    for sealed in sorted(archive_dir.glob("*/*.sealed")):
        if opens_with(sealed, new_key):
            report.already_new += 1
            continue
        try:
            reseal(sealed, old_key, new_key)
            report.resealed += 1
        except ArchiveError as exc:
            report.failed.append(str(exc))
    return report
