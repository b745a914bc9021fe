"""The shared filters: one registry of filter specs, the `Filters` value built from it, and the mask.

`FILTERS` is the one place a sidebar filter is written down: its field, its URL key, the column it tests,
its kind, where its options come from and its labels. The sidebar (ui/state.py), the mask below, the
defaults, the URL codec (analytics/urls.py) and the docs test iterate it. Adding a filter is one entry
here plus its two labels in data/i18n.yaml (see the README, "Adding a filter").

`Filters` is a frozen value with defaults meaning "everything". `apply_filters` is vectorised and
uncached: it is cheap enough to run on every rerun (see bench/bench_dashboard.py).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, make_dataclass, replace
from typing import Any, Literal

import numpy as np
import pandas as pd

from loaders.schema import BY_NAME
from loaders.search import SEARCH_KEY, index_of, keys_of, matching_rows, search_keys
from loaders.textnorm import fold, fold_words

Kind = Literal["range", "multi", "bool", "text"]


@dataclass(frozen=True)
class FilterSpec:
    """One sidebar filter.

    kind: "range" (a from–to pair of ISO week labels on a date column: two fields, `<name>_from` and
    `<name>_to`), "multi" (any of several values; on a list column, any shared value), "bool" (on a list
    column: the list is non-empty), "text" (the free-text search over every text column).
    """

    name: str  # field of `Filters`
    key: str  # URL query parameter and sidebar widget key
    column: str  # items column it tests ("" for the free-text search, which reads many)
    kind: Kind
    label: str  # labels in data/i18n.yaml: ui.filters.<label> and ui.filters.<label>_help
    options: str = ""  # multi: option order, "vocab" (vocabulary order), "frequency" or "sorted"
    codes: str = ""  # multi: vocabulary whose codes stand for the values in URLs; "" = slugs of the values

    @property
    def default(self) -> object:
        """The value meaning "no restriction"."""
        return _DEFAULTS[self.kind]

    @property
    def on_list(self) -> bool:
        """True when the column holds lists (lead agencies, districts, deadlines…)."""
        col = BY_NAME.get(self.column)
        return col is not None and col.kind.startswith("list")


_DEFAULTS: dict[str, object] = {"range": ("", ""), "multi": (), "bool": False, "text": ""}

#: Every sidebar filter, in sidebar order.
FILTERS: tuple[FilterSpec, ...] = (
    FilterSpec("week", "weeks", "week_start", "range", "weeks"),
    FilterSpec("query", "q", "", "text", "query"),
    FilterSpec("sectors", "sector", "sector", "multi", "sectors", options="vocab", codes="sectors"),
    FilterSpec("issuers", "issuer", "issuer", "multi", "issuers", options="frequency"),
    FilterSpec("leaders", "leader", "leader", "multi", "leaders", options="sorted"),
    FilterSpec("doc_types", "type", "doc_type", "multi", "doc_types", options="frequency", codes="doc_types"),
    FilterSpec("lead_agencies", "agency", "lead_agencies", "multi", "lead_agencies", options="frequency"),
    FilterSpec("districts", "district", "districts", "multi", "districts", options="sorted"),
    FilterSpec("normative_only", "normative", "is_normative", "bool", "normative"),
    FilterSpec("has_deadline", "deadline", "deadlines", "bool", "has_deadline"),
)
BY_KEY: dict[str, FilterSpec] = {s.key: s for s in FILTERS}
MULTI: tuple[FilterSpec, ...] = tuple(s for s in FILTERS if s.kind == "multi")

_WEEK = re.compile(r"^(\d{4})-W(\d{2})$")
_TYPES: dict[str, Any] = {"multi": tuple[str, ...], "bool": bool, "text": str}


def _fields() -> Iterator[tuple[str, Any, Any]]:
    for spec in FILTERS:
        if spec.kind == "range":
            yield f"{spec.name}_from", str, field(default="")
            yield f"{spec.name}_to", str, field(default="")
        else:
            yield spec.name, _TYPES[spec.kind], field(default=spec.default)


class _FilterMethods:
    """Methods of `Filters` (its fields come from the registry)."""

    def is_default(self) -> bool:
        """True when nothing is restricted."""
        return self == type(self)()

    def value(self, spec: FilterSpec) -> Any:
        """This filter's value: a (from, to) pair for a range, else the field."""
        if spec.kind == "range":
            return (getattr(self, f"{spec.name}_from"), getattr(self, f"{spec.name}_to"))
        return getattr(self, spec.name)

    def with_value(self, spec: FilterSpec, value: Any) -> Filters:
        """These filters with one filter's value replaced (a pair for a range)."""
        if spec.kind == "range":
            return replace(self, **{f"{spec.name}_from": value[0], f"{spec.name}_to": value[1]})  # type: ignore[type-var]
        return replace(self, **{spec.name: value})  # type: ignore[type-var]

    def with_weeks(self, week_from: str, week_to: str, all_weeks: list[str]) -> Filters:
        """These filters with a week range; the full range of `all_weeks` is stored as "no restriction"."""
        if all_weeks and week_from == all_weeks[0]:
            week_from = ""
        if all_weeks and week_to == all_weeks[-1]:
            week_to = ""
        return replace(self, week_from=week_from, week_to=week_to)  # type: ignore[type-var]


#: The sidebar's selection, one field per registry entry (`week_from`/`week_to`, `sectors`, `query`…).
#: Empty values mean "no restriction".
Filters = make_dataclass("Filters", list(_fields()), bases=(_FilterMethods,), frozen=True)
Filters.__module__ = __name__  # so that it pickles and prints as analytics.filters.Filters
Filters.__doc__ = "The sidebar's selection: one field per entry of FILTERS. Empty values mean no restriction."


def week_monday(label: str) -> dt.date:
    """The Monday of an ISO week label ("2024-W44" -> 2024-10-28); ValueError when malformed."""
    m = _WEEK.match(label.strip())
    if not m:
        raise ValueError(f"'{label}' is not an ISO week label like 2024-W44")
    return dt.date.fromisocalendar(int(m.group(1)), int(m.group(2)), 1)


def in_values(column: pd.Series, values: Iterable[object]) -> np.ndarray:
    """Boolean array: which entries of `column` are among `values`, like `Series.isin`. On a categorical
    each category is tested once and the answer read through the codes (~3x faster at 350,000 rows)."""
    wanted = list(values)
    if not isinstance(column.dtype, pd.CategoricalDtype):
        return column.isin(wanted).to_numpy(dtype=bool)
    coded, targets = column.array, set(wanted)
    # (A set lookup per category: `Index.isin` on 500 week labels took ~6 ms.)
    hit = np.fromiter((v in targets for v in coded.categories.tolist()), dtype=bool, count=len(coded.categories))
    return np.take(np.append(hit, bool(pd.isna(wanted).any())), coded.codes)  # code -1 (missing): the last


def is_week(label: str) -> bool:
    """True for an ISO week label like 2024-W44."""
    return bool(_WEEK.match(label or ""))


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


def match_query(items: pd.DataFrame, rows: np.ndarray, terms: list[str]) -> np.ndarray:
    """The positions among `rows` (sorted positions in `items`) whose search text holds every term.

    The one free-text search. On the library's corpus it uses the stored syllable index
    (`loaders.search.SearchIndex`) to narrow the rows before the phrase check; on any other frame it scans.
    """
    keys = keys_of(items)
    return matching_rows(search_keys(items).to_numpy() if keys is None else keys, rows, terms, index_of(items))


def _any_in_list(column: pd.Series, wanted: tuple[str, ...]) -> np.ndarray:
    targets = set(wanted)
    return np.fromiter((bool(targets.intersection(v)) for v in column), dtype=bool, count=len(column))


def is_active(spec: FilterSpec, value: Any) -> bool:
    """True when `value` restricts anything (a search of blanks does not)."""
    if spec.kind == "text":
        return bool(search_terms(value))
    if spec.kind == "range":
        return any(value)
    return bool(value)


def _vectorised(spec: FilterSpec) -> bool:
    # Tests on a whole column at C speed; the others (lists, text) only look at the rows still in.
    return spec.kind == "range" or (spec.kind in ("multi", "bool") and not spec.on_list)


def _column_mask(items: pd.DataFrame, spec: FilterSpec, value: Any) -> np.ndarray:
    column = items[spec.column]
    if spec.kind == "range":
        start, end = value
        mask = np.ones(len(items), dtype=bool)
        if start:
            mask &= (column >= pd.Timestamp(week_monday(start))).to_numpy()
        if end:
            mask &= (column <= pd.Timestamp(week_monday(end))).to_numpy()
        return mask
    if spec.kind == "multi":
        return in_values(column, value)
    return column.to_numpy(dtype=bool)


def _rows_kept(items: pd.DataFrame, spec: FilterSpec, value: Any, rows: np.ndarray) -> np.ndarray:
    if spec.kind == "text":
        return match_query(items, rows, search_terms(value))
    column = items[spec.column].iloc[rows]
    if spec.kind == "multi":
        return rows[_any_in_list(column, value)]
    return rows[np.fromiter((len(v) > 0 for v in column), dtype=bool, count=len(column))]


def filter_mask(items: pd.DataFrame, filters: Filters) -> np.ndarray:
    """Boolean array (one per row of `items`, in order) of the rows that pass `filters`."""
    mask = np.ones(len(items), dtype=bool)
    if items.empty:
        return mask
    active = [(s, filters.value(s)) for s in FILTERS if is_active(s, filters.value(s))]
    for spec, value in active:
        if _vectorised(spec):
            mask &= _column_mask(items, spec, value)
    # The slow tests look only at the rows still in, by position; the text search, slowest, last.
    for spec, value in sorted((a for a in active if not _vectorised(a[0])), key=lambda a: a[0].kind == "text"):
        if not mask.any():
            break
        rows = _rows_kept(items, spec, value, np.flatnonzero(mask))
        mask[:] = False
        mask[rows] = True
    return mask


def apply_filters(items: pd.DataFrame, filters: Filters) -> pd.DataFrame:
    """The rows of `items` that pass `filters`, in their original order."""
    if filters.is_default():
        return items
    return items[filter_mask(items, filters)]


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


def newest_first(items: pd.DataFrame) -> np.ndarray:
    """The positions of `items` (with week_start, digest_id, item_no) newest week first, then by digest and
    item number; ties keep their order. On codes and numbers (sorting 350,000 rows by three columns of a
    frame took ~4x longer)."""

    def ranks(values: pd.Series) -> np.ndarray:
        if isinstance(values.dtype, pd.CategoricalDtype) and values.cat.ordered:
            return values.cat.codes.to_numpy()  # (ordered categories sort as their text: `as_coded`)
        return pd.factorize(values.to_numpy(), sort=True)[0]

    days = items["week_start"].to_numpy(dtype="datetime64[ns]").view(np.int64)
    return np.lexsort((items["item_no"].to_numpy(), ranks(items["digest_id"]), -days))


def apply_item_refs(items: pd.DataFrame, refs: tuple[tuple[str, int | None], ...]) -> pd.DataFrame:
    """The rows of `items` named by `refs` ((digest_id, item_no or None for the whole digest), see
    `analytics.urls.parse_item_refs`; all rows when there are none), in their original order."""
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
