"""Muted text at WCAG AA contrast (at least 4.5:1, the ratio for normal-size text) on the light theme: captions
and help texts (Streamlit draws them in the theme's text colour at 60% opacity), links and slider values (the
primary colour), and chart ticks, axis titles and legends (analytics.charts.TEXT_COLOR). The browser test
measures the same ratio on the rendered page."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from analytics import charts

ROOT = Path(__file__).resolve().parent.parent
THEME = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))["theme"]
#: Opacity of st.caption (and widget help) text in Streamlit 1.67, measured in the browser.
CAPTION_OPACITY = 0.6
AA = 4.5


def rgb(color: str) -> tuple[float, float, float]:
    """(r, g, b) in 0–255 of "#rrggbb"."""
    h = color.lstrip("#")
    return int(h[0:2], 16), int(h[2:4], 16), int(h[4:6], 16)


def luminance(color: tuple[float, float, float]) -> float:
    """WCAG 2 relative luminance of an sRGB colour."""

    def lin(c: float) -> float:
        c /= 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (lin(c) for c in color)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: tuple[float, float, float], b: tuple[float, float, float]) -> float:
    """WCAG 2 contrast ratio of two colours (1 to 21)."""
    hi, lo = sorted((luminance(a), luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def over(color: tuple[float, float, float], background: tuple[float, float, float], alpha: float) -> tuple:
    """`color` drawn at `alpha` opacity over `background`."""
    return tuple(alpha * c + (1 - alpha) * b for c, b in zip(color, background, strict=True))


def test_the_formula_matches_known_ratios() -> None:
    assert contrast(rgb("#000000"), rgb("#ffffff")) == pytest.approx(21)
    assert contrast(rgb("#767676"), rgb("#ffffff")) == pytest.approx(4.54, abs=0.01)  # the classic AA grey
    # Streamlit's default text colour at caption opacity fails AA: the reason the theme sets its own.
    assert contrast(over(rgb("#2f2d2b"), rgb("#ffffff"), CAPTION_OPACITY), rgb("#ffffff")) < AA


@pytest.mark.parametrize("background", ["backgroundColor", "secondaryBackgroundColor"])
def test_captions_are_readable_on_page_and_sidebar(background: str) -> None:
    bg = rgb(THEME[background])
    assert contrast(over(rgb(THEME["textColor"]), bg, CAPTION_OPACITY), bg) >= AA


@pytest.mark.parametrize("color", [THEME["primaryColor"], charts.TEXT_COLOR])
def test_links_and_chart_text_are_readable(color: str) -> None:
    for background in (THEME["backgroundColor"], THEME["secondaryBackgroundColor"]):
        assert contrast(rgb(color), rgb(background)) >= AA


def test_every_figure_uses_the_readable_text_colour() -> None:
    import pandas as pd

    frame = pd.DataFrame({"sector": ["Y tế", "Giáo dục"], "count": [3, 1], "share": [0.75, 0.25]})
    fig = charts.bars(frame, "sector", charts.Labels(x="Số mục"), horizontal=True)
    assert fig.layout.font.color == charts.TEXT_COLOR
    assert fig.layout.xaxis.tickfont.color == fig.layout.yaxis.tickfont.color == charts.TEXT_COLOR
    assert fig.layout.xaxis.title.font.color == charts.TEXT_COLOR
