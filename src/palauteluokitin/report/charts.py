"""Charts for the analyst report: matplotlib (Agg) figures as inline SVG, Finnish labels.

The SVG is made safe to inline in HTML: no XML prolog, no namespace or DTD URLs, element
ids prefixed per chart so that several charts can share one page, text kept as text.
"""

from __future__ import annotations

import io
import itertools
import re
from collections.abc import Mapping, Sequence

import matplotlib
from markupsafe import Markup

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.ticker import MaxNLocator, PercentFormatter  # noqa: E402

# Okabe–Ito: distinguishable with the common colour-vision deficiencies and in grey print.
SENTIMENT_COLOURS = {
    "positiivinen": "#009E73",
    "negatiivinen": "#D55E00",
    "ristiriitainen": "#E69F00",
    "neutraali": "#9A9A9A",
}
CATEGORY_COLOURS = ("#0072B2", "#CC79A7", "#56B4E9", "#E69F00")
CATEGORY_STYLES = (("o", "-"), ("s", "--"), ("^", "-."), ("D", ":"))
RC = {
    "svg.fonttype": "none",
    "svg.hashsalt": "palauteluokitin",
    "font.family": "sans-serif",
    "font.size": 9,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.titlesize": 10,
    "axes.titleweight": "bold",
    "axes.formatter.use_locale": False,
}
_chart_ids = itertools.count(1)


def plain(label: str) -> str:
    """A label matplotlib shows literally: `$` would otherwise start mathtext."""
    return str(label).replace("$", r"\$")


def figure_svg(fig, description: str) -> Markup:
    """The figure as an `<svg>` element, safe to inline in HTML (matplotlib escapes its text)."""
    buffer = io.StringIO()
    metadata = {"Creator": None, "Date": None, "Format": None, "Type": None}
    fig.savefig(buffer, format="svg", bbox_inches="tight", metadata=metadata)
    plt.close(fig)
    svg = buffer.getvalue()
    svg = svg[svg.index("<svg") :]
    svg = re.sub(r'\s(?:xmlns(?::\w+)?|version)="[^"]*"', "", svg)
    svg = re.sub(r'\s(?:width|height)="[\d.]+pt"', "", svg, count=2)
    svg = svg.replace("xlink:href=", "href=").replace("*{", "svg *{")
    prefix = f"c{next(_chart_ids)}-"
    svg = re.sub(r'id="([^"]+)"', lambda m: f'id="{prefix}{m[1]}"', svg)
    svg = re.sub(r"(href=\"|url\()#", lambda m: f"{m[1]}#{prefix}", svg)
    label = description.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;")
    return Markup(svg.replace("<svg", f'<svg role="img" aria-label="{label}" class="chart"', 1))


def sentiment_by_category_chart(rows: Mapping[str, Mapping[str, int]], description: str) -> Markup:
    """100 % stacked horizontal bars: the sentiment mix of each row (a category or all feedback)."""
    names = list(rows)[::-1]
    with plt.rc_context(RC):
        fig, ax = plt.subplots(figsize=(7.5, 0.45 * len(names) + 1.1))
        left = [0.0] * len(names)
        for sentiment, colour in SENTIMENT_COLOURS.items():
            totals = [max(sum(rows[name].values()), 1) for name in names]
            shares = [rows[name].get(sentiment, 0) / total for name, total in zip(names, totals, strict=True)]
            bars = ax.barh([plain(n) for n in names], shares, left=left, color=colour, label=sentiment)
            labels = [f"{round(share * 100)} %" if share >= 0.07 else "" for share in shares]
            ax.bar_label(bars, labels=labels, label_type="center", fontsize=8, color="black")
            left = [a + b for a, b in zip(left, shares, strict=True)]
        ax.xaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
        ax.set_xlim(0, 1)
        ax.legend(ncols=4, loc="upper center", bbox_to_anchor=(0.5, -0.12), frameon=False)
        return figure_svg(fig, description)


def share_bar_chart(shares: Mapping[str, float], description: str, colours: Sequence[str]) -> Markup:
    """Horizontal bars of shares (0–1), one per label, values printed at the bar ends."""
    names = list(shares)[::-1]
    with plt.rc_context(RC):
        fig, ax = plt.subplots(figsize=(7.5, 0.4 * len(names) + 0.8))
        bars = ax.barh([plain(n) for n in names], [shares[n] for n in names], color=list(colours)[::-1])
        ax.bar_label(bars, labels=[f"{round(shares[n] * 100)} %" for n in names], padding=3, fontsize=8)
        ax.xaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
        ax.set_xlim(0, min(1.0, max([*shares.values(), 0.05]) * 1.2))
        return figure_svg(fig, description)


def monthly_sentiment_chart(
    months: Sequence[str], counts: Mapping[str, Sequence[int]], description: str
) -> Markup:
    """Stacked columns: comments per month, split by sentiment."""
    with plt.rc_context(RC):
        fig, ax = plt.subplots(figsize=(7.5, 3.0))
        bottom = [0] * len(months)
        for sentiment, colour in SENTIMENT_COLOURS.items():
            values = list(counts.get(sentiment, [0] * len(months)))
            ax.bar(months, values, bottom=bottom, color=colour, label=sentiment, width=0.75)
            bottom = [a + b for a, b in zip(bottom, values, strict=True)]
        ax.set_ylabel("kommentteja")
        ax.yaxis.set_major_locator(MaxNLocator(integer=True))
        ax.tick_params(axis="x", labelrotation=45, labelsize=8)
        ax.legend(ncols=4, loc="upper center", bbox_to_anchor=(0.5, -0.28), frameon=False)
        return figure_svg(fig, description)


def monthly_lines_chart(
    months: Sequence[str],
    series: Mapping[str, Sequence[float | None]],
    description: str,
    ylabel: str,
    percent: bool = False,
) -> Markup:
    """One line per series over the months; None leaves a gap."""
    with plt.rc_context(RC):
        fig, ax = plt.subplots(figsize=(7.5, 3.0))
        for index, (name, values) in enumerate(series.items()):
            marker, style = CATEGORY_STYLES[index % len(CATEGORY_STYLES)]
            colour = CATEGORY_COLOURS[index % len(CATEGORY_COLOURS)]
            ys = [float("nan") if v is None else v for v in values]
            ax.plot(months, ys, marker=marker, linestyle=style, color=colour, label=plain(name), markersize=4)
        ax.set_ylabel(ylabel)
        if percent:
            ax.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
        ax.tick_params(axis="x", labelrotation=45, labelsize=8)
        if len(series) > 1:
            ax.legend(ncols=4, loc="upper center", bbox_to_anchor=(0.5, -0.28), frameon=False)
        return figure_svg(fig, description)
