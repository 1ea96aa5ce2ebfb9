"""The report's section on a noisy line: the price of each channel code and what the noise did."""

from __future__ import annotations

import math
from collections.abc import Callable
from html import escape

from sim.model.results import RunResult


def _num(x: float | None, digits: int = 4) -> str:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "–"
    return "∞" if math.isinf(x) else f"{x:.{digits}g}"


def noise_section(result: RunResult, figs: Callable[[str, str], list[str]]) -> list[str]:
    """A table (capacity, rates, bits on the wire, error rates, resynchronisation) and the ε figure."""
    links = [link for link in result.links if link.errors is not None]
    if not links:
        return []
    head = (
        "link", "channel code", "code rate", "capacity", "wire bits/message", "message error rate",
        "theory", "telegrams lost (theory)", "undetected message errors", "error events",
        "resync mean (exact)", "resync p95 / max", "bit error after decoding",
    )  # fmt: skip
    rows = []
    for link in links:
        e, t = link.errors, link.theory
        assert e is not None
        resync = f"{_num(e.resync_mean)} ({_num(t.resync_mean)})"
        if e.first_error >= 0:  # a decoder that never regains step
            resync = f"never (lost from ball {e.first_error})"
        lost = (
            f"{e.lost_telegrams}/{e.telegrams} = {_num(e.lost_telegrams / e.telegrams)} "
            f"({_num(t.telegram_loss_rate)})"
            if e.telegrams
            else "–"
        )
        cells = (
            link.name, e.channel or "none", _num(t.code_rate), _num(t.capacity),
            _num(link.wire_bits / link.messages if link.messages else math.nan),
            _num(e.message_error_rate), _num(t.message_error_rate), lost,
            str(e.undetected_messages) if e.telegrams else "–", str(e.error_events), resync,
            f"{_num(e.resync_p95)} / {e.resync_max}", _num(e.channel_bit_error_rate),
        )  # fmt: skip
        rows.append("<tr>" + "".join(f"<td>{escape(c)}</td>" for c in cells) + "</tr>")
    return [
        '<section id="noise">',
        "<h2>A noisy line</h2>",
        "<p>Compression makes a stream fragile: a flip in a variable-length code can throw the receiver "
        "off the codeword boundaries for several messages, while a fixed-length code loses exactly the "
        "message hit. A channel code buys the errors back with bits on the wire (its rate), and Shannon's "
        "capacity says how cheap such a code could be. Parity per telegram only detects: a telegram "
        "that fails its check is dropped and its messages counted lost (the message error rate includes "
        "them; the undetected errors are the rest). An arithmetic decoder never regains step after its "
        "first wrong ball.</p>",
        "<table>",
        "<tr>" + "".join(f"<th>{escape(h)}</th>" for h in head) + "</tr>",
        *rows,
        "</table>",
        *figs("error_rates", ""),
        "</section>",
    ]
