"""The vocabularies, loaded once and compiled into the lookups the parser needs.

Two layers: the national files of data/vocab/ (document types, sectors, central issuers) and one province
profile, a folder of data/provinces/ (profile.yaml with the province's scalar facts, units, leaders,
departments, divisions, boilerplate). `load_vocab(profile_folder)` reads both; the parser takes the result,
so another province is another folder, not another code path.

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

import ahocorasick_rs
import yaml

from loaders.config import NATIONAL_VOCAB_DIR, PROFILE_DIR, read_yaml
from loaders.textnorm import fold, fold_words, matches_at, normalize, occurrences


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
    lat: float | None = None  # a reference point of the district (districts only)
    lon: float | None = None

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
class PlaceIndex:
    """Commune-level units found by one compiled alternation of their "<kind> <name>" (folded words), not
    by a loop over hundreds of names: the scan costs the same for 65 units or 260."""

    regex: re.Pattern[str]  # on `fold_words` text
    keys: dict[str, tuple[int, str]]  # folded "xa thach dan" -> (position in the profile, label)
    kinds: tuple[str, ...]  # " xa ", " phuong ", " thi tran ": every mention starts with one of them

    @classmethod
    def of(cls, places: tuple[Place, ...]) -> PlaceIndex:
        """The index of `places`; a label written twice (xã Hồng Phong in two districts) is found once."""
        keys: dict[str, tuple[int, str]] = {}
        kinds: dict[str, None] = {}
        for i, p in enumerate(places):
            key = (p.kind_key + p.key[1:]).strip()
            keys.setdefault(key, (i, p.label))
            if key:  # " <key> " starts with the kind (" thi tran "), or with the first word if it has none
                kinds[p.kind_key if p.kind_key.strip() else f" {key.split(' ')[0]} "] = None
        # Words are space-separated and padded: a mention is a space, the key (group 1), and a space that the
        # look-ahead leaves for the next mention.
        regex = re.compile(rf" ({_alternation(list(keys))})(?= )") if keys else re.compile(r"(?!)")
        return cls(regex, keys, tuple(kinds))

    def find(self, words: str) -> list[str]:
        """Labels of the units named with their kind word in `words` (`fold_words` text), in profile order.

        The regex is tried only where a kind word occurs (`matches_at`): far fewer places than its spaces."""
        found = matches_at(self.regex, words, occurrences(words, self.kinds))
        return [label for _, label in sorted({self.keys[m.group(1)] for m in found})]


@dataclass(frozen=True)
class Profile:
    """The scalar facts of one province (profile.yaml): its name, title, roles and special issuer codes."""

    id: str
    name: str  # the province's name as written in the digests
    level: str  # "tỉnh" | "thành phố"
    app_title: dict[str, str]  # language -> title
    map_centre: tuple[float, float]  # (lat, lon)
    title_re: re.Pattern[str]  # on folded text
    summary_tail_re: re.Pattern[str]  # on the summary as written
    actor_re: re.Pattern[str]  # on folded text; groups vp (office), pct, ct, ub
    standing_re: re.Pattern[str]  # "Phó Chủ tịch Thường trực", folded
    chairman: str  # issuer names (the `issuer` column, leaders.yaml `role`)
    vice_chairman: str
    province: str
    office: str
    steering: str
    office_code: str  # VP
    chairman_code: str  # CTUBND
    steering_code: str  # BCĐ
    drafting_codes: frozenset[str]  # UBND, VP: letters whose next group is a drafting unit

    @cached_property
    def key(self) -> str:
        """The name as `fold_words` writes it: a bare mention of it is the province itself."""
        return fold_words(self.name)


@dataclass(frozen=True)
class Vocab:
    """Every vocabulary the parser uses."""

    profile: Profile
    type_names: dict[str, str]  # code -> Vietnamese name (QĐ -> Quyết định)
    type_names_en: dict[str, str]  # Vietnamese name -> English name (Quyết định -> Decision), every doc_type
    own_issuers: dict[str, str]  # issuer code -> issuer name (UBND -> UBND tỉnh)
    code_aliases: dict[str, str]  # misspelt symbol group -> correct (QD -> QĐ)
    meeting_type: str
    unknown_type: str
    letter_type: str
    units: dict[str, str]  # code -> unit name
    leaders: tuple[LeaderTerm, ...]
    agency_canonical: dict[str, str]  # folded alias -> canonical name
    agency_sectors: dict[str, tuple[str, ...]]  # canonical name -> sector ids
    districts: tuple[Place, ...]
    former_communes: tuple[Place, ...]  # commune-level units before the reform, under their district
    communes: tuple[Place, ...]  # commune-level units from the reform on (communes_2025)
    reform_date: dt.date
    sectors: tuple[Sector, ...]
    keyword_sectors: dict[str, tuple[str, ...]]  # keyword -> sector ids
    unclassified: Sector
    drop_lines: tuple[re.Pattern[str], ...]
    central_issuers: dict[str, dict[str, str]]  # issuer code of a central body -> {vi, en} name
    files: tuple[Path, ...]  # every file read, for cache fingerprints

    # The large patterns are compiled on first use (~0.1 s): a dashboard reading its store parses nothing.
    @cached_property
    def former_commune_index(self) -> PlaceIndex:
        """The commune-level units before the reform, found in one pass."""
        return PlaceIndex.of(self.former_communes)

    @cached_property
    def commune_index(self) -> PlaceIndex:
        """The commune-level units from the reform on, found in one pass."""
        return PlaceIndex.of(self.communes)

    @cached_property
    def agency_re(self) -> re.Pattern[str]:
        """The folded-words aliases of bodies that can lead ("… chủ trì"), longest first."""
        return re.compile(rf" ({_alternation(list(self.agency_canonical))}) ")

    @cached_property
    def keyword_re(self) -> re.Pattern[str]:
        """Every sector keyword, lower case, longest first."""
        return re.compile(rf"(?<!\w)(?:{_alternation(list(self.keyword_sectors))})(?!\w)")

    @cached_property
    def own_issuer_codes(self) -> frozenset[str]:
        """Issuer codes of the province's own documents."""
        return frozenset(self.own_issuers)

    @cached_property
    def sector_order(self) -> dict[str, int]:
        """Sector id -> position in the taxonomy (of its first entry)."""
        order: dict[str, int] = {}
        for i, s in enumerate(self.sectors):
            order.setdefault(s.id, i)
        return order

    @cached_property
    def unit_sectors(self) -> dict[str, tuple[str, ...]]:
        """Drafting unit code -> ids of the sectors it is a prior for, in taxonomy order."""
        out: dict[str, tuple[str, ...]] = {}
        for s in self.sectors:
            for unit in dict.fromkeys(s.units):
                out[unit] = (*out.get(unit, ()), s.id)
        return out

    def sector(self, sector_id: str) -> Sector:
        """The sector with this id."""
        return self.sectors[self.sector_order[sector_id]]

    @cached_property
    def _district_automaton(self) -> tuple[ahocorasick_rs.AhoCorasick, list[list[Place]]]:
        keys = list(dict.fromkeys(p.key for p in self.districts))
        return ahocorasick_rs.AhoCorasick(keys), [[p for p in self.districts if p.key == k] for k in keys]

    def districts_in(self, words: str) -> list[Place]:
        """The districts whose name (`Place.key`) occurs in `words` (`fold_words` text), in profile order:
        one automaton pass instead of a substring search per district."""
        if not self.districts:
            return []
        automaton, places = self._district_automaton
        found = {id(p) for i, _, _ in automaton.find_matches_as_indexes(words, overlapping=True) for p in places[i]}
        return [p for p in self.districts if id(p) in found]

    @cached_property
    def _keyword_automata(self) -> tuple[list[str], ahocorasick_rs.AhoCorasick, ahocorasick_rs.AhoCorasick]:
        words = list(self.keyword_sectors)
        dfa = ahocorasick_rs.Implementation.DFA
        longest = ahocorasick_rs.MATCHKIND_LEFTMOST_LONGEST
        return (
            words,
            ahocorasick_rs.AhoCorasick(words, implementation=dfa),
            ahocorasick_rs.AhoCorasick(words, matchkind=longest, implementation=dfa),
        )

    def keyword_starts(self, text: str) -> list[int]:
        """Ascending positions where a sector keyword occurs in `text` (lower case): the only places where
        `keyword_re` can match. One pass of an Aho–Corasick automaton (ahocorasick_rs, in Rust) finds them
        several times faster than the regex engine trying its alternation at every position."""
        found = self._keyword_automata[1].find_matches_as_indexes(text, overlapping=True)
        return sorted({start for _, start, _ in found})

    def keyword_matches(self, text: str) -> list[tuple[str, int, int]] | None:
        """(keyword, start, end) of each match of `keyword_re` in `text` (lower case), from one leftmost-longest
        automaton pass; None when one of the keywords found so is part of a longer word (then only the regex
        can tell what it matches, at `keyword_starts`).

        When every keyword the automaton finds stands alone, they are the regex's matches: the regex takes,
        from the leftmost position where a keyword stands alone, the longest one there; the automaton takes
        the leftmost position where a keyword occurs at all, and the longest one there, which stands alone."""
        words, _, automaton = self._keyword_automata
        found = []
        last = len(text) - 1
        for i, start, end in automaton.find_matches_as_indexes(text):
            # A word character (what \w matches in a str pattern: alphanumeric or "_") right before or after.
            if start and ((before := text[start - 1]).isalnum() or before == "_"):
                return None
            if end <= last and ((after := text[end]).isalnum() or after == "_"):
                return None
            found.append((words[i], start, end))
        return found


def _read(directory: Path, name: str) -> Any:
    path = directory / name
    try:
        return read_yaml(path)
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


#: Files of a profile folder, and of the national folder, that `load_vocab` reads.
PROFILE_FILES = ("profile.yaml", "units.yaml", "leaders.yaml", "departments.yaml", "divisions.yaml", "boilerplate.yaml")
NATIONAL_FILES = ("doc_types.yaml", "sectors.yaml", "central_issuers.yaml")


def vocab_files(profile_dir: Path = PROFILE_DIR, national_dir: Path = NATIONAL_VOCAB_DIR) -> list[Path]:
    """Every file a parse depends on: the profile folder's files (all of them, portal.yaml included) and
    the national vocabularies. Cache keys hash these, so editing any of them re-parses."""
    own = sorted(p for p in profile_dir.glob("*") if p.is_file())
    return own + [national_dir / name for name in NATIONAL_FILES]


def _pattern(raw: Any, where: str, flags: int = 0) -> re.Pattern[str]:
    try:
        return re.compile(str(raw), flags)
    except re.error as exc:
        raise VocabError(f"{where}: not a valid regular expression: {exc}") from exc


def _profile(raw: dict[str, Any], where: Path) -> Profile:
    roles = raw["roles"]
    codes = raw["issuer_codes"]
    role_re = {k: f"(?:{roles[k]['pattern']})" for k in ("office", "vice_chairman", "chairman", "province")}
    centre = raw["map_centre"]
    return Profile(
        id=str(raw["id"]),
        name=normalize(raw["name"]),
        level=normalize(raw["level"]),
        app_title={str(k): normalize(v) for k, v in raw["app_title"].items()},
        map_centre=(float(centre["lat"]), float(centre["lon"])),
        title_re=_pattern(raw["title_pattern"], f"{where} title_pattern"),
        summary_tail_re=_pattern(
            normalize(raw["summary_tail_pattern"]), f"{where} summary_tail_pattern", re.IGNORECASE | re.DOTALL
        ),
        # The office first: "Văn phòng UBND tỉnh" contains "UBND tỉnh", and it only conveys a direction.
        actor_re=_pattern(
            f"(?P<vp>{role_re['office']})|(?P<pct>{role_re['vice_chairman']})"
            f"|(?P<ct>{role_re['chairman']})|(?P<ub>{role_re['province']})",
            f"{where} roles",
        ),
        standing_re=_pattern(roles["standing_vice_chairman"]["pattern"], f"{where} roles"),
        chairman=normalize(roles["chairman"]["name"]),
        vice_chairman=normalize(roles["vice_chairman"]["name"]),
        province=normalize(roles["province"]["name"]),
        office=normalize(roles["office"]["name"]),
        steering=normalize(roles["steering"]["name"]),
        office_code=normalize(codes["office"]),
        chairman_code=normalize(codes["chairman"]),
        steering_code=normalize(codes["steering"]),
        drafting_codes=frozenset(normalize(c) for c in codes["drafting"]),
    )


def _type_name(value: Any) -> tuple[str, str]:
    """(Vietnamese, English) of a doc_types.yaml special type: {name, en} (or a bare name)."""
    if isinstance(value, dict):
        return normalize(value["name"]), str(value.get("en") or value["name"])
    return normalize(str(value)), str(value)


@cache
def load_vocab(directory: Path = PROFILE_DIR, national: Path = NATIONAL_VOCAB_DIR) -> Vocab:
    """Read and compile the profile folder `directory` and the national vocabularies (cached per folder)."""
    profile_raw = _read(directory, "profile.yaml")
    units = _read(directory, "units.yaml")
    leaders = _read(directory, "leaders.yaml")
    departments = _read(directory, "departments.yaml")
    places = _read(directory, "divisions.yaml")
    boiler = _read(directory, "boilerplate.yaml")
    doc = _read(national, "doc_types.yaml")
    sectors_raw = _read(national, "sectors.yaml")
    central = _read(national, "central_issuers.yaml")
    try:
        profile = _profile(profile_raw, directory / "profile.yaml")
        type_names = {normalize(t["code"]): normalize(t["name"]) for t in doc["types"]}
        type_names_en = {normalize(t["name"]): str(t.get("en") or t["name"]) for t in doc["types"]}
        meeting_type, unknown_type, letter_type = (
            _type_name(doc[k]) for k in ("meeting_type", "unknown_type", "letter_type")
        )
        type_names_en.update(dict((meeting_type, unknown_type, letter_type)))
        own_issuers = {normalize(k): normalize(v) for k, v in profile_raw["own_issuers"].items()}
        unit_list = _entries(units, "units")
        unit_names = {u["code"]: normalize(u.get("name") or u["code"]) for u in unit_list}
        unit_priors: dict[str, list[str]] = {}
        for u in unit_list:
            for sid in u.get("sectors") or []:
                unit_priors.setdefault(sid, []).append(u["code"])
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
            Place(normalize(p["name"]), normalize(p["kind"]), normalize(p["name"]), p.get("lat"), p.get("lon"))
            for p in places["districts"]
        )
        former_communes = tuple(
            Place(normalize(c["name"]), normalize(c["kind"]), normalize(d["name"]))
            for d in places["districts"]
            for c in d.get("communes") or []
        )
        communes = tuple(
            Place(normalize(p["name"]), normalize(p["kind"]), normalize(p.get("former_district") or ""))
            for p in places.get("communes_2025") or []
        )
        reform = _date(places.get("reform_date"), "divisions.yaml reform_date") or dt.date(2025, 7, 1)
        extra_keywords = profile_raw.get("sector_keywords") or {}
        sectors = tuple(
            Sector(
                s["id"],
                normalize(s["name_vi"]),
                s["name_en"],
                s["color"],
                tuple(normalize(k).lower() for k in [*(s.get("keywords") or []), *(extra_keywords.get(s["id"]) or [])]),
                tuple(unit_priors.get(s["id"], ())),
            )
            for s in _entries(sectors_raw, "sectors")
        )
        drops = tuple(re.compile(normalize(p["pattern"]), re.IGNORECASE) for p in boiler["drop_lines"])
        central_issuers = {
            normalize(str(k)): {lang: normalize(str(n)) for lang, n in v.items()}
            for k, v in central["central_issuers"].items()
        }
    except (KeyError, TypeError, AttributeError) as exc:
        raise VocabError(f"{directory}: a vocabulary entry lacks a required field: {exc}") from exc

    known = {s.id for s in sectors}
    for body, ids in agency_sectors.items():
        if unknown := set(ids) - known:
            raise VocabError(f"{directory / 'departments.yaml'}: {body} names unknown sector(s) {sorted(unknown)}")
    for where, ids in (("units.yaml", unit_priors), ("profile.yaml sector_keywords", extra_keywords)):
        if unknown := set(ids) - known:
            raise VocabError(f"{directory / where}: names unknown sector(s) {sorted(unknown)}")
    unclassified = next((s for s in sectors if not s.keywords and s.id == "S00"), None)
    if unclassified is None:
        raise VocabError(f"{national / 'sectors.yaml'}: needs the S00 'unclassified' entry")
    keyword_sectors: dict[str, list[str]] = {}
    for s in sectors:
        for k in s.keywords:
            if not k:
                raise VocabError(f"{national / 'sectors.yaml'} / profile sector_keywords: {s.id} has an empty keyword")
            keyword_sectors.setdefault(k, []).append(s.id)
    return Vocab(
        profile=profile,
        type_names=type_names,
        type_names_en=type_names_en,
        own_issuers=own_issuers,
        code_aliases={str(k): normalize(str(v)) for k, v in (doc.get("code_aliases") or {}).items()},
        meeting_type=meeting_type[0],
        unknown_type=unknown_type[0],
        letter_type=letter_type[0],
        units=unit_names,
        leaders=terms,
        agency_canonical=canonical,
        agency_sectors=agency_sectors,
        districts=districts,
        former_communes=former_communes,
        communes=communes,
        reform_date=reform,
        sectors=sectors,
        keyword_sectors={k: tuple(v) for k, v in keyword_sectors.items()},
        unclassified=unclassified,
        drop_lines=drops,
        central_issuers=central_issuers,
        files=tuple(vocab_files(directory, national)),
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
def load_term_stops(directory: Path = NATIONAL_VOCAB_DIR) -> TermStops:
    """The boilerplate phrases and stop words of `term_stopphrases.yaml` (cached per directory)."""
    name = "term_stopphrases.yaml"
    data = _read(directory, name) or {}
    try:
        phrases = tuple(fold_words(str(e["phrase"])).strip() for e in _entries(data, "stop_phrases"))
        words = frozenset(normalize(str(e["word"])).lower() for e in _entries(data, "stop_words"))
    except (KeyError, TypeError) as exc:
        raise VocabError(f"{directory / name}: each entry needs a 'phrase' (or 'word') and a 'why': {exc}") from exc
    return TermStops(phrases=tuple(p for p in phrases if p), words=words)


@dataclass(frozen=True)
class Portal:
    """Where the province publishes its digests (the profile's portal.yaml): hosts, listing pages, how links
    read (a digest link's text is the digest's title: profile.yaml's `title_pattern`)."""

    hosts: tuple[str, ...]  # lower-case host names fetch may download from
    listings: tuple[str, ...]  # listing pages `fetch --update` re-reads
    title_re: re.Pattern[str]  # profile.yaml's title_pattern, on folded text
    next_texts: tuple[str, ...]  # `fold_words` of "next page" link texts, most trusted first

    def is_digest_title(self, text: str) -> bool:
        """True when `text` (a link's text, a page title) reads like a weekly digest's title."""
        return bool(self.title_re.search(fold(text)))

    def next_rank(self, text: str) -> int | None:
        """How trusted a link text is as "next page" (0 most), or None when it is not one."""
        key = link_key(text)
        return self.next_texts.index(key) if key in self.next_texts else None


def link_key(text: str) -> str:
    """A link text as portal.yaml's next_page entries are compared: folded words, or the symbols ("›")."""
    return fold_words(text).strip() or " ".join(text.split())


@cache
def load_portal(directory: Path = PROFILE_DIR) -> Portal:
    """Read portal.yaml of a province profile folder (cached per folder)."""
    raw = _read(directory, "portal.yaml")
    try:
        hosts = tuple(str(h).strip().lower() for h in raw["hosts"])
        listings = tuple(normalize(str(u)).strip() for u in raw.get("listings") or [])
        next_texts = tuple(link_key(str(x)) for x in raw.get("next_page") or [])
    except (KeyError, TypeError, AttributeError) as exc:
        raise VocabError(f"{directory / 'portal.yaml'}: an entry lacks a required field: {exc}") from exc
    if not hosts:
        raise VocabError(f"{directory / 'portal.yaml'}: needs at least one host")
    return Portal(hosts, listings, load_vocab(directory).profile.title_re, next_texts)
