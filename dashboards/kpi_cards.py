"""Key figures as cards drawn in HTML (issue 11, item 11: perceived speed).

The pages used ``st.metric``: each one is an element of its own, placed in ``st.columns``, and
the first on a page makes every new tab load and compile the metric's front end (five lazily
loaded chunks, ``numbro`` among them). Measured on the three-year national warehouse in a
returning browser, 热点总览 without its ten metrics: fresh load p50 1.35 → 1.22 s, p95 1.61 →
1.33 s (10 loads each). The cards here are one drawing (``drawing.show``) per row of figures, in
the component every page loads anyway.

What a card shows is what ``st.metric`` showed: the label, the value, and optionally a change
("delta") coloured by whether it is good or bad news, with an arrow for its sign, a short note
("较上年"), and a tooltip (``help``: the card's ``title``, plain text). The tests read a card
through its classes: ``ipx-kpi-label``, ``ipx-kpi-value``, ``ipx-kpi-delta`` (with ``data-tone``).
Nothing here computes a figure: callers pass the marts' values as the texts to show.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from dashboards import drawing

GOOD, BAD, NEUTRAL = "good", "bad", "neutral"
UP, DOWN = "▲", "▼"


@dataclass(frozen=True)
class Kpi:
    label: str
    value: str
    delta: str | None = None  # the change as shown, e.g. "+0.0123‰", "差距 +0.02‰ 劣于目标"
    tone: str = NEUTRAL  # GOOD (green), BAD (red) or NEUTRAL (grey)
    arrow: str | None = None  # UP, DOWN or None
    note: str | None = None  # after the change, e.g. "较上年"
    help: str | None = None  # the card's tooltip


def change(delta: str | None, *, lower_is_better: bool = True, note: str | None = "较上年") -> dict:
    """A signed change (``"+1.25"``, ``"-3 个"``) with its arrow and tone: a rise is bad news when a
    lower figure is better (injury rates, accidents), good news otherwise (scores); no change or
    no sign is neutral. Spread into :class:`Kpi`: ``Kpi(label, value, **change(text))``."""
    if not delta:
        return {}
    sign = delta.lstrip()[:1]
    if sign == "+":
        return {"delta": delta, "arrow": UP, "tone": BAD if lower_is_better else GOOD, "note": note}
    if sign in "-−":
        return {"delta": delta, "arrow": DOWN, "tone": GOOD if lower_is_better else BAD, "note": note}
    return {"delta": delta, "tone": NEUTRAL, "note": note}


def markup(items: Sequence[Kpi], *, columns: int | None = None) -> str:
    """One row of cards (``columns`` of them a row: all of them by default; two on a narrow screen)."""
    cards = []
    for k in items:
        tip = f' title="{drawing.esc(k.help)}"' if k.help else ""
        marker = '<span class="ipx-kpi-help" aria-hidden="true">ⓘ</span>' if k.help else ""
        delta = ""
        if k.delta:
            arrow = f"{k.arrow} " if k.arrow else ""
            note = f' <span class="ipx-kpi-note">{drawing.esc(k.note)}</span>' if k.note else ""
            delta = (f'<div class="ipx-kpi-delta ipx-{k.tone}" data-tone="{k.tone}">{arrow}'
                     f'{drawing.esc(k.delta)}{note}</div>')
        cards.append(f'<div class="ipx-kpi"{tip}><div class="ipx-kpi-label">{drawing.esc(k.label)}{marker}</div>'
                     f'<div class="ipx-kpi-value">{drawing.esc(k.value)}</div>{delta}</div>')
    return (f'<div class="ipx-kpis" style="--ipx-kpi-columns: {columns or max(1, len(items))}">'
            + "".join(cards) + "</div>")


def show(items: Sequence[Kpi], *, key: str, columns: int | None = None) -> None:
    drawing.show(markup(items, columns=columns), key=key)
