"""The one URL codec: every link the dashboard builds, and every URL it reads, goes through these functions.

A URL holds the whole view: the filters of the registry (analytics/filters.py) under their keys, the
language (`lang=en`), the time unit (`per=month`), a chart selection (`sel`, `pick`), the selected explorer
row (`row`) and links to exact items (`item`). Values are stable codes, not display labels: sectors by
their id (S12), document types by their symbol code (QĐ, KH) or the slug of their name (cong-van), other
values by the slug of their Vietnamese value (so-y-te), so that a link made in English opens the same view
in Vietnamese. Links written before codes (`?sector=Y tế`, `?type=Quyết định`, `?lang=English`) still read
right: a value is accepted as its code or as itself.

Pure functions: the code tables come in as arguments (`value_codes`, built once per corpus in ui/data.py).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any
from urllib.parse import urlencode

from analytics.filters import BY_KEY, FILTERS, Filters, FilterSpec, Selection, is_week
from loaders.schema import BY_NAME
from loaders.textnorm import fold

Params = Mapping[str, str | Sequence[str]]
#: filter name -> {data value: URL code}
Codes = Mapping[str, Mapping[str, str]]

#: url_path of the explorer page (dashboard.py), the target of item links, quality links and chart clicks.
EXPLORER_PATH = "tra-cuu"

LANG_PARAM = "lang"
PER_PARAM = "per"
#: Exact items, e.g. from the data-quality page or a permalink: "<digest_id>:<item_no>" for one item,
#: "<digest_id>" for every item of a digest. Repeatable.
ITEM_PARAM = "item"
#: The explorer row whose detail is open: "<digest_id>:<item_no>".
ROW_PARAM = "row"
#: A chart click: "<column>:<granularity>" (":all" appended when it counts every report), and one
#: "<value code>@<period>" per picked bar (empty value = any value, empty period = any period).
SELECTION_PARAM = "sel"
PICK_PARAM = "pick"

_ITEM_REF = re.compile(r"^([0-9A-Za-z]{4,64})(?::(\d{1,6}))?$")


def slug(text: str) -> str:
    """ASCII slug of a Vietnamese value: "Sở Y tế" -> "so-y-te"."""
    return re.sub(r"[^a-z0-9]+", "-", fold(text)).strip("-")


def value_codes(values: Iterable[str], vocabulary: Mapping[str, str] | None = None) -> dict[str, str]:
    """{value: URL code} for the values of one filter: the vocabulary's code when it has one, else the slug.

    A value whose slug is empty or shared with another value keeps itself as its code, so that decoding
    is exact.
    """
    vocabulary = vocabulary or {}
    values = list(dict.fromkeys(values))
    slugs = {v: vocabulary.get(v) or slug(v) for v in values}
    taken: dict[str, int] = {}
    for s in slugs.values():
        taken[s] = taken.get(s, 0) + 1
    return {v: s if s and taken[s] == 1 else v for v, s in slugs.items()}


def _as_list(value: str | Sequence[str] | None) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [value] if value else []
    return [v for v in value if v]


def _last(value: str | Sequence[str]) -> str:
    return str(value if isinstance(value, str) else (value[-1] if value else ""))


def _decoder(codes: Mapping[str, str] | None) -> dict[str, str]:
    # A code, or the value itself (links written before codes), or the value's slug, all lead to the value.
    table = {slug(v): v for v in (codes or {})}
    table.update({v: v for v in codes or {}})
    table.update({c: v for v, c in (codes or {}).items()})
    return table


def encode_value(spec: FilterSpec, value: str, codes: Codes | None = None) -> str:
    """The URL code of one value of a multi filter (the value itself when it has no code)."""
    return (codes or {}).get(spec.name, {}).get(value, value)


def decode_values(spec: FilterSpec, raw: str | Sequence[str], codes: Codes | None = None) -> tuple[str, ...]:
    """Values of a multi filter from its URL values (codes, or old-style values), without repeats.

    With this filter's codes, values that name nothing known are dropped (a hand-edited link must not break
    the page).
    """
    table = _decoder(codes[spec.name]) if codes and spec.name in codes else None
    out = (v.strip() for v in _as_list(raw))
    return tuple(dict.fromkeys(table[v] if table is not None else v for v in out if table is None or v in table))


def to_query_params(
    filters: Filters, all_weeks: list[str] | None = None, codes: Codes | None = None
) -> dict[str, str | list[str]]:
    """URL query parameters for `filters`; defaults are left out so that links stay short.

    The week range is two values (from, to). An open end is written as the first/last of `all_weeks`
    when given, else as an empty value.
    """
    params: dict[str, str | list[str]] = {}
    for spec in FILTERS:
        value = filters.value(spec)
        if value == spec.default:
            continue
        if spec.kind == "range":
            first, last = (all_weeks[0], all_weeks[-1]) if all_weeks else ("", "")
            params[spec.key] = [value[0] or first, value[1] or last]
        elif spec.kind == "multi":
            params[spec.key] = [encode_value(spec, v, codes) for v in value]
        elif spec.kind == "bool":
            params[spec.key] = "true"
        else:
            params[spec.key] = value
    return params


def from_query_params(params: Params, all_weeks: list[str] | None = None, codes: Codes | None = None) -> Filters:
    """Filters from URL query parameters (the inverse of `to_query_params`).

    Unknown parameters are ignored; a malformed week is dropped rather than failing the page. A week range
    with one open end may be given as a single value or with an empty end; a full range means no range.
    """
    filters = Filters()
    for key, raw in params.items():
        spec = BY_KEY.get(key)
        if spec is None:
            continue
        if spec.kind == "range":
            weeks = [w if is_week(w) else "" for w in ([raw] if isinstance(raw, str) else list(raw))[:2]]
            if len(weeks) == 1:  # one week: the range is that week
                weeks = weeks * 2
            if any(weeks):
                filters = filters.with_value(spec, (weeks[0], weeks[1]))
        elif spec.kind == "multi":
            filters = filters.with_value(spec, decode_values(spec, raw, codes))
        elif spec.kind == "bool":
            filters = filters.with_value(spec, _last(raw).strip().lower() == "true")
        else:
            filters = filters.with_value(spec, _last(raw).strip())
    if all_weeks and (filters.week_from or filters.week_to):
        filters = filters.with_weeks(filters.week_from or all_weeks[0], filters.week_to or all_weeks[-1], all_weeks)
    return filters


def decode_choice(raw: str | Sequence[str] | None, labels: Mapping[str, Iterable[str]]) -> str | None:
    """The code of a one-of-several choice (language, time unit) from its URL value: the code itself, or
    one of its display labels in any language (old links wrote labels). None when it names nothing."""
    if raw is None:
        return None
    value = fold(_last(raw).strip())
    for code, names in labels.items():
        if value == fold(code) or any(value == fold(n) for n in names):
            return code
    return None


def item_ref(digest_id: str, item_no: int | None = None) -> str:
    """The ITEM_PARAM value naming item `item_no` of a digest, or the whole digest when `item_no` is None."""
    return f"{digest_id}:{int(item_no)}" if item_no is not None else digest_id


def parse_item_refs(values: str | Sequence[str] | None) -> tuple[tuple[str, int | None], ...]:
    """(digest_id, item_no or None) for each well-formed ITEM_PARAM value, in order, without repeats.

    Malformed values are dropped (a hand-edited link must not break the page).
    """
    out: dict[tuple[str, int | None], None] = {}
    for value in _as_list(values):
        m = _ITEM_REF.match(value.strip())
        if m:
            out[(m.group(1), int(m.group(2)) if m.group(2) else None)] = None
    return tuple(out)


def _column_spec(column: str) -> FilterSpec | None:
    return next((s for s in FILTERS if s.kind == "multi" and s.column == column), None)


def selection_params(selection: Selection | None, codes: Codes | None = None) -> dict[str, str | list[str]]:
    """URL parameters of a chart selection (none for no selection)."""
    if selection is None or not selection.pairs:
        return {}
    spec = _column_spec(selection.column)
    head = f"{selection.column}:{selection.granularity}" + ("" if selection.counted_only else ":all")
    picks = [f"{encode_value(spec, v, codes) if spec and v else v}@{p}" for v, p in selection.pairs]
    return {SELECTION_PARAM: head, PICK_PARAM: picks}


def parse_selection(params: Params, codes: Codes | None = None) -> Selection | None:
    """The chart selection in URL parameters, or None (also for a malformed or unknown one)."""
    from analytics.aggregate import GRANULARITIES

    head = _last(params.get(SELECTION_PARAM) or "").split(":")
    column, granularity = head[0], (head[1] if len(head) > 1 else "week")
    if column not in BY_NAME or granularity not in GRANULARITIES:
        return None
    spec = _column_spec(column)
    table = _decoder(codes[spec.name]) if spec and codes and spec.name in codes else None
    pairs: dict[tuple[str, str], None] = {}
    for pick in _as_list(params.get(PICK_PARAM)):
        value, _, period = pick.rpartition("@")
        if table is not None and value:
            if value not in table:
                continue
            value = table[value]
        pairs[(value, period)] = None
    if not pairs:
        return None
    on_list = BY_NAME[column].kind.startswith("list")
    return Selection(column, tuple(pairs), granularity, on_list, counted_only=len(head) < 3 or head[2] != "all")


def page_url(path: str, params: Mapping[str, Any]) -> str:
    """A relative link to a page of the app (its url_path) with these parameters, lists as repeated keys.

    Relative, so that it also works when the app is served under a path prefix.
    """
    query = urlencode({k: v for k, v in params.items() if v not in (None, "", [], ())}, doseq=True, safe=":")
    return f"{path}?{query}" if query else path
