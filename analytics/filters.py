"""The shared filter: what the sidebar selects, how it travels in the URL, and how it narrows the items.

`Filters` is a frozen value with defaults meaning "everything". `apply_filters` is vectorised and
uncached: it is cheap enough to run on every rerun (see bench/bench_dashboard.py).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from urllib.parse import quote

import numpy as np
import pandas as pd

from loaders.search import SEARCH_KEY, index_of, matching_rows, search_keys
from loaders.textnorm import fold, fold_words

#: Names of the URL query parameters; also the sidebar widgets' keys (widgets are bound to the URL).
PARAM = {
    "weeks": "weeks",
    "sectors": "sector",
    "issuers": "issuer",
    "leaders": "leader",
    "doc_types": "type",
    "normative_only": "normative",
    "lead_agencies": "agency",
    "districts": "district",
    "query": "q",
}

_WEEK = re.compile(r"^(\d{4})-W(\d{2})$")


@dataclass(frozen=True)
class Filters:
    """The sidebar's selection. Empty values mean "no restriction"."""

    week_from: str = ""  # ISO week label, e.g. "2024-W44"; "" = from the first week
    week_to: str = ""  # ISO week label; "" = to the last week
    sectors: tuple[str, ...] = ()
    issuers: tuple[str, ...] = ()
    leaders: tuple[str, ...] = ()
    doc_types: tuple[str, ...] = ()
    normative_only: bool = False
    lead_agencies: tuple[str, ...] = ()
    districts: tuple[str, ...] = ()
    query: str = ""

    def is_default(self) -> bool:
        """True when nothing is restricted."""
        return self == Filters()

    def with_weeks(self, week_from: str, week_to: str, all_weeks: list[str]) -> Filters:
        """These filters with a week range; the full range of `all_weeks` is stored as "no restriction"."""
        if all_weeks and week_from == all_weeks[0]:
            week_from = ""
        if all_weeks and week_to == all_weeks[-1]:
            week_to = ""
        return replace(self, week_from=week_from, week_to=week_to)


def week_monday(label: str) -> dt.date:
    """The Monday of an ISO week label ("2024-W44" -> 2024-10-28); ValueError when malformed."""
    m = _WEEK.match(label.strip())
    if not m:
        raise ValueError(f"'{label}' is not an ISO week label like 2024-W44")
    return dt.date.fromisocalendar(int(m.group(1)), int(m.group(2)), 1)


def search_terms(query: str) -> list[str]:
    """Folded search terms; every term must match. A term is a word, a "quoted phrase", or a token joined by
    punctuation ("QĐ-UBND", "45/2024/QĐ-UBND"), which must match as written, punctuation aside.

    Terms match whole words (syllables): "hoa" finds "hóa" and "hoá" but not "hoạch".
    """
    folded = fold(query)
    phrases = re.findall(r'"([^"]*)"', folded)
    rest = re.sub(r'"[^"]*"?', " ", folded)
    terms = [fold_words(p).strip() for p in [*phrases, *rest.split()]]
    return [t for t in terms if t]


def add_search_key(items: pd.DataFrame) -> pd.DataFrame:
    """A copy of `items` with the folded search text in SEARCH_KEY (the library's store already has it)."""
    out = items.copy()
    out[SEARCH_KEY] = search_keys(out)
    return out


def _any_in_list(column: pd.Series, wanted: tuple[str, ...]) -> np.ndarray:
    targets = set(wanted)
    return np.fromiter((bool(targets.intersection(v)) for v in column), dtype=bool, count=len(column))


def filter_mask(items: pd.DataFrame, filters: Filters) -> np.ndarray:
    """Boolean array (one per row of `items`, in order) of the rows that pass `filters`."""
    mask = np.ones(len(items), dtype=bool)
    if items.empty:
        return mask
    if filters.week_from:
        mask &= (items["week_start"] >= pd.Timestamp(week_monday(filters.week_from))).to_numpy()
    if filters.week_to:
        mask &= (items["week_start"] <= pd.Timestamp(week_monday(filters.week_to))).to_numpy()
    for field_name, column in (
        ("sectors", "sector"),
        ("issuers", "issuer"),
        ("leaders", "leader"),
        ("doc_types", "doc_type"),
    ):
        wanted = getattr(filters, field_name)
        if wanted:
            mask &= items[column].isin(wanted).to_numpy()
    if filters.normative_only:
        mask &= items["is_normative"].to_numpy(dtype=bool)
    # The slow tests (lists, text) look only at the rows still in, by position.
    for field_name, column in (("lead_agencies", "lead_agencies"), ("districts", "districts")):
        wanted = getattr(filters, field_name)
        if wanted and mask.any():
            rows = np.flatnonzero(mask)
            mask[rows] = _any_in_list(items[column].iloc[rows], wanted)
    terms = search_terms(filters.query)
    if terms and mask.any():
        rows = match_query(items, np.flatnonzero(mask), terms)
        mask[:] = False
        mask[rows] = True
    return mask


def match_query(items: pd.DataFrame, rows: np.ndarray, terms: list[str]) -> np.ndarray:
    """The positions among `rows` (sorted positions in `items`) whose search text holds every term.

    The one free-text search. On the library's corpus it uses the stored syllable index
    (`loaders.search.SearchIndex`) to narrow the rows before the phrase check; on any other frame it scans.
    """
    key = (items[SEARCH_KEY] if SEARCH_KEY in items else add_search_key(items)[SEARCH_KEY]).to_numpy()
    return matching_rows(key, rows, terms, index_of(items))


def apply_filters(items: pd.DataFrame, filters: Filters) -> pd.DataFrame:
    """The rows of `items` that pass `filters`, in their original order."""
    if filters.is_default():
        return items
    return items[filter_mask(items, filters)]


def to_query_params(filters: Filters, all_weeks: list[str] | None = None) -> dict[str, str | list[str]]:
    """URL query parameters for `filters`; defaults are left out so that links stay short.

    The week range is two values (from, to). An open end is written as the first/last of `all_weeks`
    when given (the form the sidebar's range slider reads), else as an empty value.
    """
    params: dict[str, str | list[str]] = {}
    if filters.week_from or filters.week_to:
        first, last = (all_weeks[0], all_weeks[-1]) if all_weeks else ("", "")
        params[PARAM["weeks"]] = [filters.week_from or first, filters.week_to or last]
    for f in fields(Filters):
        if f.name in ("week_from", "week_to"):
            continue
        value = getattr(filters, f.name)
        if value in ((), "", False):
            continue
        if isinstance(value, bool):
            params[PARAM[f.name]] = "true"
        elif isinstance(value, tuple):
            params[PARAM[f.name]] = list(value)
        else:
            params[PARAM[f.name]] = value
    return params


def _as_list(value: str | list[str] | tuple[str, ...] | None) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [value] if value else []
    return [v for v in value if v]


def from_query_params(params: Mapping[str, str | list[str]], all_weeks: list[str] | None = None) -> Filters:
    """Filters from URL query parameters (the inverse of `to_query_params`).

    Unknown parameters are ignored; a malformed week is dropped rather than failing the page.
    A week range with one open end may be given as a single value or with an empty end.
    """
    values: dict[str, object] = {}
    raw_weeks = params.get(PARAM["weeks"])
    weeks = [raw_weeks] if isinstance(raw_weeks, str) else list(raw_weeks or [])
    weeks = [w if _WEEK.match(w or "") else "" for w in weeks[:2]]
    if len(weeks) == 1:  # one week: the range is that week
        weeks = weeks * 2
    if any(weeks):
        values["week_from"], values["week_to"] = weeks[0], weeks[1]
    for f in fields(Filters):
        key = PARAM.get(f.name)
        if key is None or f.name in ("week_from", "week_to") or key not in params:
            continue
        raw = params[key]
        if f.name == "normative_only":
            values[f.name] = str(raw[-1] if isinstance(raw, list) else raw).lower() == "true"
        elif f.name == "query":
            values[f.name] = str(raw[-1] if isinstance(raw, list) else raw).strip()
        else:
            values[f.name] = tuple(dict.fromkeys(_as_list(raw)))
    filters = Filters(**values)  # type: ignore[arg-type]
    if all_weeks and (filters.week_from or filters.week_to):
        filters = filters.with_weeks(filters.week_from or all_weeks[0], filters.week_to or all_weeks[-1], all_weeks)
    return filters


@dataclass(frozen=True)
class Selection:
    """Items picked by clicking a chart: rows whose `column` equals one of the values, in the given period.

    `pairs` are (value, period) from the chart's customdata; an empty value means "any value" (a bar of
    totals) and an empty period means "any period". With `counted_only` the selection keeps first reports
    only, like the chart it came from, so the explorer shows exactly the items the bar counted.
    """

    column: str
    pairs: tuple[tuple[str, str], ...]
    granularity: str = "week"
    explode: bool = False
    counted_only: bool = True
    source: str = ""


def apply_selection(items: pd.DataFrame, selection: Selection | None) -> pd.DataFrame:
    """The rows of `items` picked by `selection` (all rows when it is None or empty)."""
    if selection is None or not selection.pairs or items.empty:
        return items
    from analytics.aggregate import period_labels  # local: aggregate imports nothing from here

    rows = items[items["first_report"]] if selection.counted_only else items
    period = period_labels(rows["week_start"], selection.granularity) if any(p for _, p in selection.pairs) else None
    mask = pd.Series(False, index=rows.index)
    for value, per in selection.pairs:
        hit = pd.Series(True, index=rows.index)
        if value and selection.column:
            col = rows[selection.column]
            if selection.explode:
                hit &= pd.Series([value in v for v in col], index=rows.index, dtype=bool)
            elif col.dtype == bool:
                hit &= col == (value == "True")
            else:
                hit &= col.astype(str) == value
        if per and period is not None:
            hit &= period == per
        mask |= hit
    return rows[mask]


#: URL parameter naming exact items, e.g. from the data-quality page: "<digest_id>:<item_no>" for one item,
#: "<digest_id>" for every item of a digest. Repeatable. Not a sidebar filter: it is a link to items.
ITEM_PARAM = "item"

_ITEM_REF = re.compile(r"^([0-9A-Za-z]{4,64})(?::(\d{1,6}))?$")


def item_ref(digest_id: str, item_no: int | None = None) -> str:
    """The ITEM_PARAM value naming item `item_no` of a digest, or the whole digest when `item_no` is None."""
    return f"{digest_id}:{int(item_no)}" if item_no is not None else digest_id


def item_query(digest_id: str, item_no: int | None = None) -> str:
    """The query string of a link to one item (or a whole digest): "item=<digest_id>:<item_no>"."""
    return f"{ITEM_PARAM}={quote(item_ref(digest_id, item_no), safe=':')}"


def parse_item_refs(values: str | list[str] | tuple[str, ...] | None) -> tuple[tuple[str, int | None], ...]:
    """(digest_id, item_no or None) for each well-formed ITEM_PARAM value, in order, without repeats.

    Malformed values are dropped (a hand-edited link must not break the page).
    """
    out: dict[tuple[str, int | None], None] = {}
    for value in _as_list(values):
        m = _ITEM_REF.match(value.strip())
        if m:
            out[(m.group(1), int(m.group(2)) if m.group(2) else None)] = None
    return tuple(out)


def apply_item_refs(items: pd.DataFrame, refs: tuple[tuple[str, int | None], ...]) -> pd.DataFrame:
    """The rows of `items` named by `refs` (all rows when there are none), in their original order."""
    if not refs or items.empty:
        return items
    whole = {d for d, n in refs if n is None}
    single = {(d, n) for d, n in refs if n is not None}
    mask = items["digest_id"].isin(whole).to_numpy()
    if single:
        mask = mask | np.fromiter(
            ((d, int(n)) in single for d, n in zip(items["digest_id"], items["item_no"], strict=True)),
            dtype=bool,
            count=len(items),
        )
    return items[mask]
