"""Delivery periods (spec section 1) and their due times (spec section 5)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

BEIJING = dt.timezone(dt.timedelta(hours=8))


@dataclass(frozen=True, order=True)
class Period:
    """One delivery period of a cadence: ``YYYYMM``, ``YYYYQn`` or ``YYYY``."""

    year: int
    index: int          # month 1..12, quarter 1..4, or 1 for a year
    cadence: str

    @property
    def label(self) -> str:
        if self.cadence == "monthly":
            return f"{self.year}{self.index:02d}"
        if self.cadence == "quarterly":
            return f"{self.year}Q{self.index}"
        return f"{self.year}"

    @property
    def first_day(self) -> dt.date:
        if self.cadence == "monthly":
            return dt.date(self.year, self.index, 1)
        if self.cadence == "quarterly":
            return dt.date(self.year, 3 * self.index - 2, 1)
        return dt.date(self.year, 1, 1)

    @property
    def last_day(self) -> dt.date:
        if self.cadence == "monthly":
            return month_end(self.year, self.index)
        if self.cadence == "quarterly":
            return month_end(self.year, 3 * self.index)
        return dt.date(self.year, 12, 31)

    @property
    def due(self) -> dt.datetime:
        """The delivery deadline: 15th / 20th / 31st of the month after the period, 23:59:59."""
        end = self.last_day
        nxt = dt.date(end.year + (end.month == 12), end.month % 12 + 1, 1)
        day = {"monthly": 15, "quarterly": 20, "annual": 31}[self.cadence]
        return dt.datetime(nxt.year, nxt.month, day, 23, 59, 59, tzinfo=BEIJING)

    def title(self) -> str:
        """How a period is named in an XLSX title row."""
        if self.cadence == "monthly":
            return f"{self.year}年{self.index}月"
        if self.cadence == "quarterly":
            return f"{self.year}年第{'一二三四'[self.index - 1]}季度"
        return f"{self.year}年度"


def month_end(year: int, month: int) -> dt.date:
    nxt = dt.date(year + (month == 12), month % 12 + 1, 1)
    return nxt - dt.timedelta(days=1)


def periods_for(cadence: str, years: tuple[int, ...]) -> list[Period]:
    per_year = {"monthly": 12, "quarterly": 4, "annual": 1}[cadence]
    return [Period(y, i, cadence) for y in sorted(years) for i in range(1, per_year + 1)]


def iso_beijing(moment: dt.datetime) -> str:
    return moment.astimezone(BEIJING).isoformat(timespec="seconds")
