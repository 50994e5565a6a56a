"""Inline SVG charts for the HTML report: no scripts, no external files."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

# Tableau 10: distinct in print and for the common kinds of colour blindness.
PALETTE = (
    "#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f",
    "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac",
)  # fmt: skip
OTHER_COLOUR = "#c7c7c7"
FONT = "font-family=\"system-ui, -apple-system, 'Segoe UI', sans-serif\""


@dataclass(frozen=True)
class Series:
    label: str
    values: Sequence[int]
    colour: str


def _nice_max(value: float) -> float:
    """A round axis maximum at or above ``value`` (1, 2, 5 × 10^n)."""
    if value <= 0:
        return 1.0
    step = 1.0
    while step * 10 < value:
        step *= 10
    for factor in (1, 2, 5, 10):
        if step * factor >= value:
            return step * factor
    return step * 10


def stacked_bars(
    categories: Sequence[str], series: Sequence[Series], *, width: int = 760, height: int = 300
) -> str:
    """Vertical stacked bars, one per category (a week), with a legend on the right."""
    left, right, top, bottom = 44, 250, 16, 46
    plot_w, plot_h = width - left - right, height - top - bottom
    totals = [sum(s.values[i] for s in series) for i in range(len(categories))]
    y_max = _nice_max(max(totals, default=0))
    parts = [_svg_open(width, height, "Overrides per rule per week")]
    for tick in range(5):
        value = y_max * tick / 4
        y = top + plot_h - plot_h * tick / 4
        parts.append(
            f'<line x1="{left}" x2="{left + plot_w}" y1="{y:.1f}" y2="{y:.1f}" '
            f'stroke="#e5e7eb" stroke-width="1"/>'
            f'<text x="{left - 8}" y="{y + 4:.1f}" text-anchor="end" font-size="11" '
            f'fill="#6b7280">{value:g}</text>'
        )
    slot = plot_w / max(1, len(categories))
    bar_w = max(4.0, min(48.0, slot * 0.7))
    label_every = max(1, round(len(categories) / 12))
    for i, category in enumerate(categories):
        x = left + slot * i + (slot - bar_w) / 2
        base = float(top + plot_h)
        for s in series:
            value = s.values[i]
            if not value:
                continue
            h = plot_h * value / y_max
            base -= h
            parts.append(
                f'<rect x="{x:.1f}" y="{base:.1f}" width="{bar_w:.1f}" height="{h:.1f}" '
                f'fill="{s.colour}"><title>{escape(s.label)} · {escape(category)}: '
                f"{value}</title></rect>"
            )
        if i % label_every == 0:
            parts.append(
                f'<text x="{x + bar_w / 2:.1f}" y="{top + plot_h + 18}" text-anchor="middle" '
                f'font-size="11" fill="#6b7280">{escape(category.split("-")[-1])}</text>'
            )
    if categories:
        years = sorted({c[:4] for c in categories})
        span = years[0] if len(years) == 1 else f"{years[0]}–{years[-1]}"
        parts.append(
            f'<text x="{left + plot_w / 2:.1f}" y="{height - 6}" text-anchor="middle" '
            f'font-size="11" fill="#9ca3af">ISO week ({escape(span)})</text>'
        )
    parts.append(
        f'<line x1="{left}" x2="{left + plot_w}" y1="{top + plot_h}" y2="{top + plot_h}" '
        'stroke="#9ca3af"/>'
    )
    parts.extend(_legend(series, x=left + plot_w + 20, y=top + 4))
    parts.append("</svg>")
    return "".join(parts)


def horizontal_bars(
    rows: Sequence[tuple[str, float, str]], *, width: int = 760, bar_h: int = 22
) -> str:
    """One bar per (label, ratio 0..1, annotation), ratios shown as percentages."""
    left, right, top = 260, 90, 10
    height = top * 2 + len(rows) * (bar_h + 8) + 20
    plot_w = width - left - right
    parts = [_svg_open(width, height, "False-positive rate per rule")]
    for tick in (0, 0.25, 0.5, 0.75, 1.0):
        x = left + plot_w * tick
        parts.append(
            f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{top}" y2="{height - 22}" stroke="#e5e7eb"/>'
            f'<text x="{x:.1f}" y="{height - 6}" text-anchor="middle" font-size="11" '
            f'fill="#6b7280">{tick:.0%}</text>'
        )
    for i, (label, ratio, note) in enumerate(rows):
        y = top + i * (bar_h + 8)
        w = max(1.5, plot_w * min(1.0, ratio))
        colour = "#e15759" if ratio >= 0.5 else "#f28e2b" if ratio >= 0.2 else "#4e79a7"
        parts.append(
            f'<text x="{left - 10}" y="{y + bar_h * 0.7:.1f}" text-anchor="end" font-size="12" '
            f'fill="#111827">{escape(_shorten(label, 38))}<title>{escape(label)}</title></text>'
            f'<rect x="{left}" y="{y}" width="{w:.1f}" height="{bar_h}" rx="3" fill="{colour}">'
            f"<title>{escape(label)}: {ratio:.0%} ({escape(note)})</title></rect>"
            f'<text x="{left + w + 6:.1f}" y="{y + bar_h * 0.7:.1f}" font-size="12" '
            f'fill="#374151">{ratio:.0%} <tspan fill="#9ca3af">{escape(note)}</tspan></text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def _svg_open(width: int, height: int, title: str) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="100%" role="img" aria-label="{escape(title)}" {FONT}>'
        f"<title>{escape(title)}</title>"
    )


def _legend(series: Sequence[Series], *, x: int, y: int) -> list[str]:
    parts = []
    for i, s in enumerate(series):
        row = y + i * 20
        parts.append(
            f'<rect x="{x}" y="{row}" width="12" height="12" rx="2" fill="{s.colour}"/>'
            f'<text x="{x + 18}" y="{row + 10}" font-size="12" fill="#374151">'
            f"{escape(_shorten(s.label, 32))}<title>{escape(s.label)}</title></text>"
        )
    return parts


def _shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
