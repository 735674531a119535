"""Vectorised construction of valid USCCs (GB 32100) and resident IDs (GB 11643).

The scalar algorithms live in ``ipx.identifiers``; these build whole arrays at once so that
national-scale populations need no per-record Python loop. Tests check them against the
scalar versions.
"""

from __future__ import annotations

import numpy as np

from ipx.identifiers import RIC_CHECK, RIC_WEIGHTS, USCC_CHARSET, USCC_WEIGHTS

_USCC_CHARS = np.array(list(USCC_CHARSET))
_RIC_CHECK = np.array(list(RIC_CHECK))
_DIGITS = np.array(list("0123456789"))


def _rows_to_strings(chars: np.ndarray) -> np.ndarray:
    """Join each row of a (n, k) array of one-character strings into one string."""
    n, k = chars.shape
    if n == 0:
        return np.array([], dtype=f"<U{k}")
    return np.ascontiguousarray(chars.astype("<U1")).view(f"<U{k}").reshape(n)


def _digits_of(codes: np.ndarray, width: int) -> np.ndarray:
    """(n, width) digit matrix of zero-padded non-negative integers."""
    codes = np.asarray(codes, dtype=np.int64)
    powers = 10 ** np.arange(width - 1, -1, -1, dtype=np.int64)
    return (codes[:, None] // powers[None, :]) % 10


def uscc_batch(rng: np.random.Generator, area_codes: np.ndarray, prefix: str = "91") -> np.ndarray:
    """Valid 18-character USCCs: registration prefix, the area code, 9 organisation
    characters, and the check character."""
    n = len(area_codes)
    values = np.empty((n, 17), dtype=np.int64)
    values[:, 0] = USCC_CHARSET.index(prefix[0])
    values[:, 1] = USCC_CHARSET.index(prefix[1])
    values[:, 2:8] = _digits_of(np.asarray(area_codes).astype(np.int64), 6)
    # Organisation codes mostly start with digits, as real ones do.
    values[:, 8:17] = rng.integers(0, 31, size=(n, 9))
    values[:, 8] = rng.integers(0, 10, size=n)
    check = (31 - (values @ np.array(USCC_WEIGHTS)) % 31) % 31
    chars = np.concatenate([_USCC_CHARS[values], _USCC_CHARS[check][:, None]], axis=1)
    return _rows_to_strings(chars)


def resident_id_batch(
    rng: np.random.Generator, area_codes: np.ndarray, birth_dates: np.ndarray, male: np.ndarray
) -> np.ndarray:
    """Valid resident IDs: area, birth date ``YYYYMMDD``, sequence (odd for men), check."""
    n = len(area_codes)
    births = np.asarray(birth_dates, dtype="datetime64[D]")
    years = births.astype("datetime64[Y]").astype(np.int64) + 1970
    months = births.astype("datetime64[M]").astype(np.int64) % 12 + 1
    days = (births - births.astype("datetime64[M]")).astype(np.int64) + 1
    seq = rng.integers(0, 500, size=n) * 2 + np.asarray(male, dtype=np.int64)
    digits = np.concatenate(
        [
            _digits_of(np.asarray(area_codes).astype(np.int64), 6),
            _digits_of(years * 10000 + months * 100 + days, 8),
            _digits_of(seq, 3),
        ],
        axis=1,
    )
    check = _RIC_CHECK[(digits @ np.array(RIC_WEIGHTS)) % 11]
    chars = np.concatenate([_DIGITS[digits], check[:, None]], axis=1)
    return _rows_to_strings(chars)
