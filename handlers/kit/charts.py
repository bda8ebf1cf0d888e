"""Chart images for reports: pure functions from figures to PNG bytes.

matplotlib runs headless (Agg) and draws nothing on screen. Names in a
Chinese team are Chinese: the font list prefers the CJK fonts a server may
have (Debian/Ubuntu: ``apt-get install fonts-noto-cjk``) and falls back glyph
by glyph to matplotlib's own DejaVu Sans, so a machine without them still
produces a chart (Chinese names then show as boxes, and a warning says why).

Every text in a chart (names, team and platform names, titles, legends) is
the user's and is drawn literally: matplotlib's mathtext is off
(``text.parse_math``), so a Slack name like ``Bob $\\foo$`` is drawn as typed
instead of failing the chart.
"""

from __future__ import annotations

import io
import logging
import warnings
from dataclasses import dataclass
from functools import cache
from types import ModuleType

log = logging.getLogger(__name__)

CJK_FONTS = ("Noto Sans CJK SC", "Source Han Sans SC", "WenQuanYi Micro Hei", "Microsoft YaHei", "PingFang SC",
             "Heiti SC")
MAX_BARS = 60  # beyond this a chart is unreadable; reports say how many were left out


@dataclass(frozen=True)
class Bar:
    label: str
    value: int
    target: int


@cache
def _matplotlib() -> ModuleType:
    """matplotlib (with numpy and Pillow) is imported at the first chart, not
    at start: it is most of a process's memory and start-up time, and the
    processes that only serve clicks or run reminders never draw
    (docs/performance.md, fan-out peak RSS)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.figure
    import matplotlib.font_manager

    return matplotlib


@cache
def _families() -> tuple[str, ...]:
    installed = {f.name for f in _matplotlib().font_manager.fontManager.ttflist}
    found = tuple(f for f in CJK_FONTS if f in installed)
    if not found:
        log.warning("no CJK font installed: Chinese text in charts shows as boxes (install fonts-noto-cjk)")
    return (*found, "DejaVu Sans")


def _has_cjk(text: str) -> bool:
    return any("\u2e80" <= ch <= "\u9fff" or "\uf900" <= ch <= "\ufaff" for ch in text)


# Text artists read this when they are made, tick labels when they are drawn:
# the whole chart is made and saved under it.
LITERAL_TEXT = {"text.parse_math": False, "text.usetex": False}


def progress_chart(bars: list[Bar], *, title: str, value_label: str, target_label: str) -> bytes:
    """Horizontal bars (value per person) with each person's target marked: a
    PNG. Every label is drawn literally, ``$`` and ``\\`` included."""
    with _matplotlib().rc_context(LITERAL_TEXT):
        return _progress_chart(bars[:MAX_BARS], title=title, value_label=value_label, target_label=target_label)


def _progress_chart(bars: list[Bar], *, title: str, value_label: str, target_label: str) -> bytes:
    height = 1.2 + 0.35 * max(len(bars), 1)
    fig = _matplotlib().figure.Figure(figsize=(7.5, height), dpi=110)
    ax = fig.add_subplot()
    families = list(_families()) if any(_has_cjk(b.label) for b in bars) or _has_cjk(title) else ["DejaVu Sans"]
    labels = [b.label for b in bars][::-1]
    values = [b.value for b in bars][::-1]
    targets = [b.target for b in bars][::-1]
    colors = ["#2eb67d" if v >= t else "#ecb22e" for v, t in zip(values, targets, strict=True)]
    ys = range(len(bars))
    ax.barh(list(ys), values, color=colors, label=value_label)
    ax.scatter(targets, list(ys), marker="|", s=400, color="#1d1c1d", label=target_label, zorder=3)
    ax.set_yticks(list(ys), labels, fontfamily=families)
    ax.set_xlim(0, max([*values, *targets, 1]) + 1)
    ax.xaxis.get_major_locator().set_params(integer=True)
    ax.set_title(title, fontfamily=families, loc="left", fontsize=11)
    ax.legend(loc="lower right", fontsize=8, frameon=False, prop={"family": families, "size": 8})
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    out = io.BytesIO()
    with warnings.catch_warnings():
        # Said once, in _families(); not once per missing glyph.
        warnings.filterwarnings("ignore", message="Glyph .* missing from font")
        fig.tight_layout()
        fig.savefig(out, format="png")
    return out.getvalue()
