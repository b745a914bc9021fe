"""The vocabularies in data/vocab/*.yaml (document types, units, leaders, departments, districts, sectors,
boilerplate), loaded once and compiled into the lookups the parser needs.

The YAML files are the place to edit; this module only reads them and fails with a message naming the
file and the entry when one is malformed.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from functools import cache, cached_property
from pathlib import Path
from typing import Any

import yaml

from loaders.config import VOCAB_DIR
from loaders.textnorm import fold_words, normalize


class VocabError(ValueError):
    """A vocabulary file is missing or malformed."""


@dataclass(frozen=True)
class LeaderTerm:
    """One person in one role for one period (open ends are None)."""

    name: str
    role: str  # "Chủ tịch UBND tỉnh" | "Phó Chủ tịch UBND tỉnh"
    standing: bool
    start: dt.date | None
    end: dt.date | None

    @cached_property
    def key(self) -> str:
        """The name as `fold_words` writes it, for matching in text."""
        return fold_words(self.name)

    def held_on(self, day: dt.date) -> bool:
        """True when the person held this role on `day`."""
        return (self.start is None or self.start <= day) and (self.end is None or day <= self.end)


@dataclass(frozen=True)
class Sector:
    """One sector of the taxonomy."""

    id: str
    name_vi: str
    name_en: str
    color: str
    keywords: tuple[str, ...]
    units: tuple[str, ...]


@dataclass(frozen=True)
class Place:
    """A district (before 1/7/2025) or a commune-level unit (after)."""

    name: str
    kind: str  # huyện, thành phố, xã, phường
    district: str  # the district it belongs to (itself for districts)

    @property
    def label(self) -> str:
        """How the place is shown: "huyện Cao Lộc", "xã Mẫu Sơn"."""
        return f"{self.kind} {self.name}"

    @cached_property
    def key(self) -> str:
        """The name as `fold_words` writes it (" cao loc ")."""
        return fold_words(self.name)

    @cached_property
    def kind_key(self) -> str:
        """The kind as `fold_words` writes it (" huyen ")."""
        return fold_words(self.kind)


@dataclass(frozen=True)
class Vocab:
    """Every vocabulary the parser uses."""

    type_names: dict[str, str]  # code -> Vietnamese name (QĐ -> Quyết định)
    own_issuers: dict[str, str]  # issuer code -> issuer name (UBND -> UBND tỉnh)
    code_aliases: dict[str, str]  # misspelt symbol group -> correct (QD -> QĐ)
    meeting_type: str
    unknown_type: str
    letter_type: str
    units: dict[str, str]  # code -> unit name
    leaders: tuple[LeaderTerm, ...]
    agency_re: re.Pattern[str]  # folded-words aliases of bodies that can lead ("… chủ trì")
    agency_canonical: dict[str, str]  # folded alias -> canonical name
    agency_sectors: dict[str, tuple[str, ...]]  # canonical name -> sector ids
    districts: tuple[Place, ...]
    communes: tuple[Place, ...]
    reform_date: dt.date
    sectors: tuple[Sector, ...]
    keyword_re: re.Pattern[str]  # every sector keyword, lower-case, longest first
    keyword_sectors: dict[str, tuple[str, ...]]  # keyword -> sector ids
    unclassified: Sector
    drop_lines: tuple[re.Pattern[str], ...]

    @property
    def own_issuer_codes(self) -> frozenset[str]:
        """Issuer codes of the province's own documents."""
        return frozenset(self.own_issuers)

    def sector(self, sector_id: str) -> Sector:
        """The sector with this id."""
        return next(s for s in self.sectors if s.id == sector_id)


def _read(directory: Path, name: str) -> Any:
    path = directory / name
    try:
        with path.open(encoding="utf-8") as fh:
            return yaml.safe_load(fh)
    except FileNotFoundError as exc:
        raise VocabError(f"{path}: vocabulary file is missing") from exc
    except yaml.YAMLError as exc:
        raise VocabError(f"{path}: not valid YAML: {exc}") from exc


def _date(value: Any, where: str) -> dt.date | None:
    if value is None or value == "":
        return None
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError as exc:
        raise VocabError(f"{where}: '{value}' is not a YYYY-MM-DD date") from exc


def _alternation(words: list[str]) -> str:
    """A regex matching any of `words`, longest first, as a prefix trie.

    A flat alternation of hundreds of phrases tries each one at every position; sharing prefixes
    ("phòng (?:cháy|chống …)") makes the scan several times faster.
    """
    trie: dict[str, Any] = {}
    for word in set(words):
        node = trie
        for ch in word:
            node = node.setdefault(ch, {})
        node[""] = {}

    def build(node: dict[str, Any]) -> str:
        ends = "" in node
        branches = [re.escape(ch) + build(child) for ch, child in sorted(node.items()) if ch]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        return f"(?:{body})?" if ends else body

    return build(trie)


@cache
def load_vocab(directory: Path = VOCAB_DIR) -> Vocab:
    """Read and compile every vocabulary file of `directory` (cached per directory)."""
    doc = _read(directory, "doc_types.yaml")
    units = _read(directory, "units.yaml")
    leaders = _read(directory, "leaders.yaml")
    departments = _read(directory, "departments.yaml")
    places = _read(directory, "districts.yaml")
    sectors_raw = _read(directory, "sectors.yaml")
    boiler = _read(directory, "boilerplate.yaml")
    try:
        type_names = {normalize(t["code"]): normalize(t["name"]) for t in doc["types"]}
        own_issuers = {normalize(k): normalize(v) for k, v in doc["own_issuers"].items()}
        unit_names = {u["code"]: normalize(u.get("name") or u["code"]) for u in _entries(units, "units")}
        terms = tuple(
            LeaderTerm(
                normalize(t["name"]),
                normalize(t["role"]),
                bool(t.get("standing")),
                _date(t.get("from"), f"leaders.yaml {t['name']}"),
                _date(t.get("to"), f"leaders.yaml {t['name']}"),
            )
            for t in _entries(leaders, "leaders")
        )
        canonical: dict[str, str] = {}
        agency_sectors: dict[str, tuple[str, ...]] = {}
        for d in _entries(departments, "departments"):
            name = normalize(d["name"])
            target = normalize(d.get("successor") or name)
            for alias in [name, *(d.get("aliases") or [])]:
                canonical[fold_words(alias).strip()] = target
            if target == name or target not in agency_sectors:
                agency_sectors[target] = tuple(d.get("sectors") or ())
        districts = tuple(
            Place(normalize(p["name"]), normalize(p["kind"]), normalize(p["name"])) for p in places["districts"]
        )
        communes = tuple(
            Place(normalize(p["name"]), normalize(p["kind"]), normalize(p.get("former_district") or ""))
            for p in places.get("communes_2025") or []
        )
        reform = _date(places.get("reform_date"), "districts.yaml reform_date") or dt.date(2025, 7, 1)
        sectors = tuple(
            Sector(
                s["id"],
                normalize(s["name_vi"]),
                s["name_en"],
                s["color"],
                tuple(normalize(k).lower() for k in s.get("keywords") or []),
                tuple(s.get("units") or []),
            )
            for s in _entries(sectors_raw, "sectors")
        )
        drops = tuple(re.compile(normalize(p["pattern"]), re.IGNORECASE) for p in boiler["drop_lines"])
        meeting_type = normalize(doc["meeting_type"])
        unknown_type = normalize(doc["unknown_type"])
        letter_type = normalize(doc["letter_type"])
    except (KeyError, TypeError) as exc:
        raise VocabError(f"{directory}: a vocabulary entry lacks a required field: {exc}") from exc

    known = {s.id for s in sectors}
    for body, ids in agency_sectors.items():
        if unknown := set(ids) - known:
            raise VocabError(f"{directory / 'departments.yaml'}: {body} names unknown sector(s) {sorted(unknown)}")
    unclassified = next((s for s in sectors if not s.keywords and s.id == "S00"), None)
    if unclassified is None:
        raise VocabError(f"{directory / 'sectors.yaml'}: needs the S00 'unclassified' entry")
    keyword_sectors: dict[str, list[str]] = {}
    for s in sectors:
        for k in s.keywords:
            keyword_sectors.setdefault(k, []).append(s.id)
    return Vocab(
        type_names=type_names,
        own_issuers=own_issuers,
        code_aliases={str(k): normalize(str(v)) for k, v in (doc.get("code_aliases") or {}).items()},
        meeting_type=meeting_type,
        unknown_type=unknown_type,
        letter_type=letter_type,
        units=unit_names,
        leaders=terms,
        agency_re=re.compile(rf" ({_alternation(list(canonical))}) "),
        agency_canonical=canonical,
        agency_sectors=agency_sectors,
        districts=districts,
        communes=communes,
        reform_date=reform,
        sectors=sectors,
        keyword_re=re.compile(rf"(?<!\w)(?:{_alternation(list(keyword_sectors))})(?!\w)"),
        keyword_sectors={k: tuple(v) for k, v in keyword_sectors.items()},
        unclassified=unclassified,
        drop_lines=drops,
    )


def _entries(data: Any, key: str) -> list[dict[str, Any]]:
    # Accept both a bare list and {key: [...]} so the files can carry a header mapping.
    if isinstance(data, dict):
        data = data.get(key)
    if not isinstance(data, list):
        raise VocabError(f"{key}: expected a list of entries")
    return data


@dataclass(frozen=True)
class TermStops:
    """What the rising-terms list leaves out (data/vocab/term_stopphrases.yaml)."""

    phrases: tuple[str, ...]  # boilerplate phrases, folded (`fold_words`, stripped)
    words: frozenset[str]  # function words no phrase may hold, lower case with their diacritics


@cache
def load_term_stops(directory: Path = VOCAB_DIR) -> TermStops:
    """The boilerplate phrases and stop words of `term_stopphrases.yaml` (cached per directory)."""
    name = "term_stopphrases.yaml"
    data = _read(directory, name) or {}
    try:
        phrases = tuple(fold_words(str(e["phrase"])).strip() for e in _entries(data, "stop_phrases"))
        words = frozenset(normalize(str(e["word"])).lower() for e in _entries(data, "stop_words"))
    except (KeyError, TypeError) as exc:
        raise VocabError(f"{directory / name}: each entry needs a 'phrase' (or 'word') and a 'why': {exc}") from exc
    return TermStops(phrases=tuple(p for p in phrases if p), words=words)
