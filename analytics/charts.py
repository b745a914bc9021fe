"""Plotly figure builders. Each takes an aggregated frame (from `aggregate`), the labels to show and the
colours to use, and returns a figure; nothing is computed here except layout.

Every trace carries the raw category values in `customdata` (first the category, then the period when
there is one), so a click on a bar can be turned back into a filter whatever the trace order (plotly's
`point_index` is per trace) and whatever the display language.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.colors import get_colorscale

#: Fallback colours for categories without a configured colour (colour-blind-safe-ish, from Tableau 10).
PALETTE: tuple[str, ...] = (
    "#4e79a7",
    "#f28e2b",
    "#e15759",
    "#76b7b2",
    "#59a14f",
    "#edc948",
    "#b07aa1",
    "#ff9da7",
    "#9c755f",
    "#bab0ac",
    "#1f77b4",
    "#ff7f0e",
    "#2ca02c",
    "#d62728",
    "#9467bd",
    "#8c564b",
    "#e377c2",
    "#7f7f7f",
    "#bcbd22",
    "#17becf",
)
MISSING_COLOR = "#c7c7c7"
#: Axis ticks, axis titles and legend text: Streamlit's chart theme draws them in #808495 (3.5:1 on white);
#: this grey keeps the muted look at 7.5:1 (WCAG AA asks 4.5:1; tests/test_contrast.py checks it).
TEXT_COLOR = "#555555"


@dataclass(frozen=True)
class Labels:
    """Texts a figure shows. `names` maps raw category values to display names (translations)."""

    x: str = ""
    y: str = ""
    color: str = ""
    count: str = "Số mục"
    share: str = "Tỉ lệ"
    title: str = ""
    names: Mapping[str, str] = field(default_factory=dict)

    def name(self, value: object) -> str:
        """Display name of a raw value."""
        return self.names.get(str(value), str(value))


def palette(values: Sequence[str], fixed: Mapping[str, str] | None = None) -> dict[str, str]:
    """A colour per value: the fixed colour when configured, else the next palette colour (stable order)."""
    fixed = fixed or {}
    out: dict[str, str] = {}
    free = iter(c for c in PALETTE * (1 + len(values) // len(PALETTE)) if c not in set(fixed.values()))
    for v in values:
        out[v] = fixed.get(v) or next(free, MISSING_COLOR)
    return out


@cache
def _colorscale(name: str) -> tuple[tuple[float, str], ...]:
    """A named plotly colour scale, looked up once (plotly rebuilds its table of scales on every lookup)."""
    return tuple((float(stop), str(colour)) for stop, colour in get_colorscale(name))


def _custom(*columns: Sequence[object] | np.ndarray | pd.Series) -> list[list[object]]:
    """Per-point customdata: a list of [column values] per point, in plain Python values. Lists, not numpy
    arrays: plotly's `to_dict`, which Streamlit calls on every chart, sends each array through a dataframe
    library's type checks (~0.5 ms an array, most of a chart's time with one trace per sector)."""
    lists = [c.tolist() if isinstance(c, np.ndarray | pd.Series) else list(c) for c in columns]
    return [list(point) for point in zip(*lists, strict=True)]


def _figure(
    traces: list[dict],
    labels: Labels,
    height: int,
    xaxis: dict,
    yaxis: dict,
    legend: bool = True,
    **layout: object,
) -> go.Figure:
    """The figure, built in one go (adding traces one by one and updating the layout step by step cost five
    times more, a large share of a page's rerun) and not validated: plotly's validation of every property
    took half of the rest. A test validates every kind of chart made here instead, and finds the same
    figure (tests/test_analytics.py). `xaxis`/`yaxis` take a plain "title" text;
    `layout` adds top-level settings (barmode…)."""

    def axis(spec: dict) -> dict:
        title = spec.pop("title", "")
        settings = {k: v for k, v in spec.items() if v is not None}  # (unset: plotly's default)
        return {**settings, "tickfont": {"color": TEXT_COLOR}, "title": {"text": title, "font": {"color": TEXT_COLOR}}}

    base: dict[str, object] = {
        "title": {"text": labels.title} if labels.title else None,
        "height": height,
        # Room above the plot for the mode bar, which would otherwise cover the top bar.
        "margin": {"l": 10, "r": 10, "t": 60 if labels.title else 36, "b": 10},
        "showlegend": legend,
        "hoverlabel": {"namelength": -1},
        # Clicking a bar selects it (a box-select drag mode would swallow single clicks).
        "clickmode": "event+select",
        "font": {"color": TEXT_COLOR},
        "xaxis": axis(dict(xaxis)),
        "yaxis": axis(dict(yaxis)),
    }
    if legend:
        base["legend"] = {
            "title": {"text": labels.color, "font": {"color": TEXT_COLOR}},
            "traceorder": "normal",
            "font": {"color": TEXT_COLOR},
        }
    return go.Figure(data=traces, layout={**base, **layout}, _validate=False)


def stacked_bars(
    frame: pd.DataFrame,
    x: str,
    color: str,
    labels: Labels,
    colors: Mapping[str, str],
    y: str = "count",
    height: int = 470,
) -> go.Figure:
    """Bars over `x` (periods) stacked by `color`; `y` is "count" or "share" (then stacked to 100%)."""
    traces = _period_traces(frame, x, color, y, labels, colors, {"type": "bar"}, paint="marker")
    return _figure(traces, labels, height, *_period_axes(frame, x, y, labels), barmode="stack")


def share_lines(
    frame: pd.DataFrame,
    x: str,
    color: str,
    labels: Labels,
    colors: Mapping[str, str],
    height: int = 470,
    y: str = "share",
) -> go.Figure:
    """One line per `color` value of its share (or, with `y`="count", its count) over `x`."""
    traces = _period_traces(frame, x, color, y, labels, colors, {"type": "scatter", "mode": "lines+markers"}, "line")
    return _figure(traces, labels, height, *_period_axes(frame, x, y, labels))


def _period_traces(
    frame: pd.DataFrame,
    x: str,
    color: str,
    y: str,
    labels: Labels,
    colors: Mapping[str, str],
    kind: dict,
    paint: str,
) -> list[dict]:
    """One trace (`kind`: type and style) per `color` value with any item, its colour set on `paint`, in the
    order of the values' first rows; its points as plain lists (see `_custom`)."""
    codes, values = pd.factorize(frame[color])  # (in order of first appearance; -1: no value, left out)
    order = np.argsort(codes, kind="stable")
    starts = np.searchsorted(codes[order], np.arange(len(values) + 1))
    periods, ys = frame[x].to_numpy(dtype=object), frame[y].to_numpy()
    counts, shares = frame["count"].to_numpy(), frame["share"].to_numpy()
    traces = []
    for k, value in enumerate(values):
        at = order[starts[k] : starts[k + 1]]
        if not counts[at].any():
            continue
        xs = periods[at].tolist()
        traces.append(
            {
                **kind,
                "x": xs,
                "y": ys[at].tolist(),
                "name": labels.name(value),
                paint: {"color": colors.get(str(value), MISSING_COLOR)},
                "customdata": _custom([value] * len(at), xs, counts[at], shares[at]),
                "hovertemplate": (
                    f"<b>%{{fullData.name}}</b><br>{labels.x}: %{{customdata[1]}}<br>"
                    f"{labels.count}: %{{customdata[2]}}<br>{labels.share}: %{{customdata[3]:.1%}}"
                    "<extra></extra>"
                ),
            }
        )
    return traces


def _period_axes(frame: pd.DataFrame, x: str, y: str, labels: Labels) -> tuple[dict, dict]:
    """The axes of a chart over periods: periods in the frame's order, counts or shares from zero."""
    order = [str(v) for v in dict.fromkeys(frame[x])]
    return (
        {"title": labels.x, "type": "category", "categoryorder": "array", "categoryarray": order},
        {"title": labels.y, "tickformat": ".0%" if y == "share" else None, "rangemode": "tozero"},
    )


def bars(
    frame: pd.DataFrame,
    category: str,
    labels: Labels,
    colors: Mapping[str, str] | None = None,
    value: str = "count",
    horizontal: bool = False,
    height: int | None = None,
    period: str | None = None,
) -> go.Figure:
    """One bar per row of `frame`, in the frame's order (rankings: horizontal, largest on top).

    `period`, when given, is a column holding the period of each bar (for per-week totals).
    """
    colors = colors or {}
    cats = frame[category].astype(str).tolist()
    shown = [labels.name(c) for c in cats]
    custom = _custom(
        cats,
        frame[period] if period else [""] * len(frame),
        frame["count"],
        frame["share"] if "share" in frame else [float("nan")] * len(frame),
    )
    bar_colors = [colors.get(c, PALETTE[0]) for c in cats]
    hover = (
        f"<b>%{{{'y' if horizontal else 'x'}}}</b><br>{labels.count}: %{{customdata[2]}}"
        + (f"<br>{labels.share}: %{{customdata[3]:.1%}}" if "share" in frame else "")
        + "<extra></extra>"
    )
    # Counts are whole numbers: no 0.5 ticks on small axes.
    small = value != "share" and len(frame) and float(frame[value].abs().max()) <= 8
    share_axis = ".0%" if value == "share" else None
    if horizontal:
        trace = {"type": "bar", "x": frame[value].tolist(), "y": shown, "orientation": "h"}
        xaxis = {"title": labels.x, "tickformat": share_axis, "dtick": 1 if small else None}
        yaxis = {"title": labels.y, "autorange": "reversed", "type": "category"}
        height = height or max(240, 28 * len(frame) + 60)
    else:
        trace = {"type": "bar", "x": shown, "y": frame[value].tolist()}
        xaxis = {"title": labels.x, "type": "category"}
        yaxis = {"title": labels.y, "tickformat": share_axis, "rangemode": "tozero", "dtick": 1 if small else None}
        height = height or 360
    trace.update(marker={"color": bar_colors}, customdata=custom, hovertemplate=hover)
    return _figure([trace], labels, height, xaxis, yaxis, legend=False)


def heatmap(
    frame: pd.DataFrame,
    row: str,
    col: str,
    labels: Labels,
    value: str = "count",
    row_order: Sequence[str] | None = None,
    col_order: Sequence[str] | None = None,
    height: int | None = None,
) -> go.Figure:
    """A count matrix (rows × columns) with the count written in each cell; hover adds the row share."""
    rows = list(row_order) if row_order else list(dict.fromkeys(frame[row]))
    cols = list(col_order) if col_order else list(dict.fromkeys(frame[col]))
    z = _grid(frame, row, col, value, rows, cols)
    share = _grid(frame, row, col, "row_share", rows, cols) if "row_share" in frame else z * 0
    trace = {
        "type": "heatmap",
        "z": z.tolist(),  # (plain lists, see `_custom`)
        "x": [labels.name(c) for c in cols],
        "y": [labels.name(r) for r in rows],
        "colorscale": _colorscale("Blues"),  # (as plotly.py names it: plotly.js has another "Blues")
        "text": z.tolist(),
        "texttemplate": "%{text}",
        "showscale": False,
        "customdata": share.tolist(),
        "xgap": 1,
        "ygap": 1,
        "hovertemplate": (
            f"{labels.y}: %{{y}}<br>{labels.x}: %{{x}}<br>{labels.count}: %{{z}}<br>"
            f"{labels.share}: %{{customdata:.1%}}<extra></extra>"
        ),
    }
    return _figure(
        [trace],
        labels,
        height or max(260, 26 * len(rows) + 200),
        xaxis={"title": labels.x, "type": "category", "side": "top", "tickangle": -35 if len(cols) > 6 else 0},
        yaxis={"title": labels.y, "autorange": "reversed", "type": "category"},
        legend=False,
    )


def _grid(frame: pd.DataFrame, row: str, col: str, value: str, rows: list, cols: list) -> np.ndarray:
    """The sums of `value` per (row, column) label, in the order of `rows` × `cols` (0 where none; labels
    not listed are left out): a pivot table on codes, ~20x faster than pandas' pivot_table + reindex."""
    r = pd.Index(rows).get_indexer(frame[row].astype(object))
    c = pd.Index(cols).get_indexer(frame[col].astype(object))
    keep = (r >= 0) & (c >= 0)
    values = frame[value].to_numpy()
    grid = np.zeros((len(rows), len(cols)), dtype=values.dtype)
    np.add.at(grid, (r[keep], c[keep]), values[keep])
    return grid


def calendar(frame: pd.DataFrame, labels: Labels, value: str = "items") -> go.Figure:
    """Weeks as a calendar: ISO week number across, year down; empty cells are weeks without a digest."""
    years = sorted(frame["year"].unique())
    # One cell per (year, ISO week number), placed by position (a week is one row of `frame`).
    r = np.searchsorted(years, frame["year"].to_numpy())
    c = frame["week_no"].to_numpy(dtype=np.int64) - 1
    grid = np.full((len(years), 53), np.nan)
    grid[r, c] = frame[value].to_numpy(dtype=float)
    weeks = np.full((len(years), 53), np.nan, dtype=object)
    weeks[r, c] = frame["week"].to_numpy(dtype=object)
    trace = {
        "type": "heatmap",
        "z": grid,
        "x": list(range(1, 54)),
        "y": [str(y) for y in years],
        "customdata": weeks,
        "colorscale": _colorscale("YlOrRd"),
        "xgap": 2,
        "ygap": 2,
        "colorbar": {"title": {"text": labels.count}},
        "hovertemplate": f"%{{customdata}}<br>{labels.count}: %{{z}}<extra></extra>",
    }
    return _figure(
        [trace],
        labels,
        max(200, 34 * len(years) + 110),
        xaxis={"title": labels.x, "dtick": 4},
        yaxis={"title": labels.y, "type": "category", "autorange": "reversed"},
        legend=False,
    )


def place_map(frame: pd.DataFrame, labels: Labels, centre: tuple[float, float]) -> go.Figure:
    """Districts as bubbles at their coordinates (size ∝ √count). Drawn on plain lon/lat axes with the
    right aspect ratio, so it needs no map tiles (works offline). `centre` (lat, lon) is the profile's
    map centre, used when no place is located."""
    located = frame.dropna(subset=["lat", "lon"])
    size = [8 + 10 * math.sqrt(c) for c in located["count"]]
    trace = {
        "type": "scatter",
        "x": located["lon"].to_numpy(),
        "y": located["lat"].to_numpy(),
        "mode": "markers+text",
        "text": [labels.name(d) for d in located["district"]],
        "textposition": "top center",
        "marker": {"size": size, "color": "#e15759", "opacity": 0.7, "line": {"width": 1, "color": "#7f1d1d"}},
        "customdata": _custom(located["district"], [""] * len(located), located["count"], located["share"]),
        "hovertemplate": (
            f"<b>%{{text}}</b><br>{labels.count}: %{{customdata[2]}}<br>"
            f"{labels.share}: %{{customdata[3]:.1%}}<extra></extra>"
        ),
    }
    mid_lat = float(located["lat"].mean()) if len(located) else centre[0]
    xaxis: dict[str, object] = {"title": labels.x, "showgrid": True, "zeroline": False}
    # One degree of longitude is shorter than one of latitude by cos(latitude).
    yaxis: dict[str, object] = {
        "title": labels.y,
        "scaleanchor": "x",
        "scaleratio": 1 / math.cos(math.radians(mid_lat)),
        "showgrid": True,
        "zeroline": False,
    }
    if not len(located):  # nothing to place: show the province's area rather than an arbitrary square
        xaxis["range"] = [centre[1] - 0.6, centre[1] + 0.6]
        yaxis["range"] = [centre[0] - 0.6, centre[0] + 0.6]
    return _figure([trace], labels, 520, xaxis, yaxis, legend=False)


def selected_values(points: Sequence[Mapping[str, object]]) -> list[tuple[str, str]]:
    """(category, period) pairs of selected points, read from their customdata (see module docstring)."""
    out: list[tuple[str, str]] = []
    for p in points:
        data = p.get("customdata")
        if isinstance(data, list | tuple) and data:
            period = str(data[1]) if len(data) > 1 and data[1] is not None else ""
            pair = (str(data[0]), period)
            if pair not in out:
                out.append(pair)
    return out
