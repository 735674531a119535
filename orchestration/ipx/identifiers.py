"""Check-character algorithms of the two national identifiers (spec section 2).

These scalar versions serve the generator and the tests; ingestion validates whole columns
with the SQL forms in ``ipx.ingestion.sql_rules``, which the tests prove equivalent.
"""

from __future__ import annotations

import datetime as dt

USCC_CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
RIC_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
RIC_CHECK = "10X98765432"


def uscc_check_char(first17: str) -> str:
    """GB 32100-2015 check character of the first 17 characters."""
    total = sum(USCC_CHARSET.index(c) * w for c, w in zip(first17, USCC_WEIGHTS, strict=True))
    return USCC_CHARSET[(31 - total % 31) % 31]


def is_valid_uscc(value: str) -> bool:
    if len(value) != 18 or any(c not in USCC_CHARSET for c in value):
        return False
    return uscc_check_char(value[:17]) == value[17]


def ric_check_char(first17: str) -> str:
    """GB 11643-1999 (ISO 7064 MOD 11-2) check character of the first 17 digits."""
    total = sum(int(c) * w for c, w in zip(first17, RIC_WEIGHTS, strict=True))
    return RIC_CHECK[total % 11]


def is_valid_ric(value: str) -> bool:
    if len(value) != 18 or not (value[:17].isascii() and value[:17].isdigit()) or value[17] not in "0123456789X":
        return False
    try:
        dt.date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        return False
    return ric_check_char(value[:17]) == value[17]
