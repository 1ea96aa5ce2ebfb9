"""The look shared by every figure: limits, matplotlib set-up, plain text, colours, log axes.

A part of :mod:`sim.publish.plots` (which re-exports the public names). matplotlib
is imported lazily, inside the functions.

Colours: a symbol that names a CSS colour (``blue``, ``red``, ``green`` …)
is drawn in that colour (``yellow`` as ``goldenrod``, to stay legible on
white); other symbols take colours from a fixed palette, in order.
"""

from __future__ import annotations

import contextlib
import functools
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Literal, TypeVar

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.figure import Figure


MAX_POINTS = 2000
"""At most this many points of a convergence trace are drawn per line."""
MAX_SHOWN = 40
"""Bar figures show at most this many symbols; the least likely are merged into one."""
MAX_TREE_CODEWORDS, MAX_TREE_DEPTH = 64, 16
"""Larger codes are drawn as a histogram of codeword lengths instead of a tree."""
MAX_BINS = 200
"""A waiting-time histogram with more bins is drawn with neighbouring bins merged."""
DPI = 150
"""Resolution of the PNG files: sharp on a projector (a 7.5-inch figure is 1125 pixels wide)."""

Z95 = 1.959963984540054

_LEGIBLE = {"yellow": "goldenrod", "white": "gainsboro", "lightyellow": "khaki"}
_PALETTE = (
    "#4c72b0", "#dd8452", "#55a868", "#c44e52", "#8172b3",
    "#937860", "#da8bc3", "#8c8c8c", "#ccb974", "#64b5cd",
)  # fmt: skip
_LINK_COLOURS = (
    "#17becf", "#8e44ad", "#e377c2", "#7f7f7f", "#1f77b4", "#d62728",
    "#2ca02c", "#ff7f0e", "#8c564b", "#bcbd22",
)  # fmt: skip
#: Measured curves of different links differ by marker as well as colour, so equal curves stay visible.
_LINK_MARKERS = (None, "o", "s", "^", "D", "v", "P", "X")


def _hue_clash(colour: str, ball: str) -> bool:
    """True when ``colour`` would be read as the same colour name as ``ball`` (hue within 35°)."""
    from colorsys import rgb_to_hsv

    from matplotlib.colors import to_rgb

    h1, s1, v1 = rgb_to_hsv(*to_rgb(colour))
    h2, s2, v2 = rgb_to_hsv(*to_rgb(ball))
    if min(s1, s2) < 0.25 or min(v1, v2) < 0.2:  # greys and near-blacks carry no hue name
        return False
    d = abs(h1 - h2) * 360
    return min(d, 360 - d) < 35


def _mpl() -> None:
    """Import matplotlib with the non-interactive Agg backend (idempotent)."""
    import matplotlib

    if matplotlib.get_backend().lower() != "agg":
        matplotlib.use("Agg")


def _plain_text():
    """Text drawn as given: no mathtext (a colour named ``$x^$`` is a name, not a formula), no TeX."""
    _mpl()
    import warnings

    from matplotlib import rc_context

    stack = contextlib.ExitStack()
    stack.enter_context(rc_context({"text.parse_math": False, "text.usetex": False}))
    stack.enter_context(warnings.catch_warnings())
    warnings.filterwarnings("ignore", "Glyph .* missing from", UserWarning)  # an emoji colour, say
    return stack


_F = TypeVar("_F", bound=Callable[..., "Figure"])


def _plain(build: _F) -> _F:
    """Build the figure with :func:`_plain_text` in force (text objects keep it when drawn)."""

    @functools.wraps(build)
    def wrapper(*args: object, **kwargs: object) -> Figure:
        with _plain_text():
            return build(*args, **kwargs)

    return wrapper  # type: ignore[return-value]


def _figure(
    width: float, height: float, margins: tuple[float, float, float, float] = (0.1, 0.1, 0.1, 0.4)
) -> Figure:
    """A new figure that is not registered with pyplot: nothing to show or leak.

    ``margins`` (left, bottom, right, top) are in inches, fixed rather than
    computed by a layout engine: that halves the time to save a figure, which
    matters when a run writes a dozen of them.
    """
    _mpl()
    from matplotlib.figure import Figure

    left, bottom, right, top = margins
    fig = Figure(figsize=(width, height))
    fig.subplots_adjust(
        left=left / width, bottom=bottom / height, right=1 - right / width, top=1 - top / height
    )
    return fig


# -- colours ------------------------------------------------------------------
def symbol_colours(symbols: Iterable[str]) -> dict[str, str]:
    """A colour per symbol: its own name when that is a CSS colour, else the palette.

    >>> symbol_colours(["blue", "yellow", "spam"])
    {'blue': 'blue', 'yellow': 'goldenrod', 'spam': '#4c72b0'}
    """
    from matplotlib.colors import CSS4_COLORS

    out: dict[str, str] = {}
    spare = 0
    for s in symbols:
        if s in out:
            continue
        name = s.strip().lower()
        if name in CSS4_COLORS:
            out[s] = _LEGIBLE.get(name, name)
        else:
            out[s] = _PALETTE[spare % len(_PALETTE)]
            spare += 1
    return out


def _colours_for(symbols: Iterable[str], colours: Mapping[str, str] | None) -> dict[str, str]:
    symbols = list(symbols)
    if colours is None:
        return symbol_colours(symbols)
    missing = [s for s in symbols if s not in colours]
    out = dict(colours)
    out.update({s: c for s, c in symbol_colours(missing).items() if s not in out})
    return out


def _ink(colour: str) -> str:
    """Black or white, whichever reads better on ``colour``."""
    from matplotlib.colors import to_rgb

    r, g, b = to_rgb(colour)
    return "black" if 0.299 * r + 0.587 * g + 0.114 * b > 0.55 else "white"


_SUPERSCRIPT = str.maketrans("0123456789-", "⁰¹²³⁴⁵⁶⁷⁸⁹⁻")


def _power(base: int, exponent: int) -> str:
    """``base`` to the ``exponent`` in Unicode superscripts (no mathtext: it is slow).

    >>> _power(2, -3)
    '2⁻³'
    """
    return f"{base}{str(exponent).translate(_SUPERSCRIPT)}"


def _log_axis(axis, kind: Literal["count", "seconds"]) -> None:
    """A log axis with labels in one style and no minor ticks (they triple the drawing time).

    Counts are written plainly (1, 10, 100, 1,000, 10,000) while the axis
    stays below 10^5, and all as powers of ten (10⁰ … 10⁷) beyond, never a
    mix. An axis spanning less than two decades also gets ticks at 2 and 5
    times each power, so a 5-message run has more than one tick.
    """
    from matplotlib.ticker import FuncFormatter, LogLocator, NullLocator

    lo, hi = sorted(axis.get_view_interval())
    powers = kind == "count" and hi >= 1e5

    def label(v: float, _pos: object) -> str:
        if kind == "count":
            e = round(math.log10(v)) if v > 0 else 0
            if powers and math.isclose(v, 10.0**e):
                return _power(10, e)
            return f"{v:,.0f}" if v >= 1 else f"{v:g}"
        return f"{v:g}"

    few = lo > 0 and hi / lo < 100
    axis.set_major_locator(LogLocator(base=10, subs=(1.0, 2.0, 5.0) if few else (1.0,), numticks=12))
    axis.set_major_formatter(FuncFormatter(label))
    axis.set_minor_locator(NullLocator())


def _label(text: str) -> str:
    """A legend label shown as given (matplotlib hides labels that start with '_')."""
    return f" {text}" if text.startswith("_") else text


def _merge(shares: Mapping[str, float], shown: Sequence[str], others: str) -> dict[str, float]:
    """``shares`` of the ``shown`` symbols, the rest summed under ``others``."""
    keep = set(shown)
    out = {s: shares.get(s, 0.0) for s in shown}
    out[others] = float(sum(v for s, v in shares.items() if s not in keep))
    return out
