"""Fields of one item block: its own document, who directed it, lead agencies, places, citations, deadlines.

Rules taken from the digests: the item's own document is the province's one in the lead sentence (a central
document cited in the headline is not it); the type follows the symbol ("Kế hoạch (số 389/QĐ-UBND …)" is a
Quyết định); `VP-…` letters convey a named leader's direction; `…/QĐ-BCĐ` and `…/BCĐ-NTM` come from a
Ban Chỉ đạo; meetings carry their date in the lead ("Ngày 29/10/2024, …"). How roles and issuer codes are
written is the profile's (`Vocab.profile`); the Văn phòng only conveys a leader's direction.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from loaders.digest import Block, is_meeting_lead, is_own_symbol, own_reference
from loaders.symbols import DATE_RE, SHORT_DATE_RE, Symbol, find_dates, make_date, match_date
from loaders.textnorm import fold_prefix, fold_words, matches_at, occurrences
from loaders.vocab import Profile, Vocab

_DATE_AFTER_SYMBOL = re.compile(r"[\s,)(]*(?:ngày|ban hành ngày)\s+", re.IGNORECASE)  # matched at the symbol's end
_NAME_AFTER_DONG_CHI = re.compile(r"(?:đồng chí|Đồng chí|ông|Ông|bà|Bà)\s+((?:[^\W\d_]+\s){1,3}[^\W\d_]+)\s*,")
# On folded text: "trước ngày", "chậm nhất (trong) ngày", "hạn chót", "không muộn hơn". The regex is only
# tried where one of the words occurs (`matches_at`), and has no look-behind in front.
_DEADLINE_WORDS = ("truoc", "cham nhat", "han chot", "khong muon hon")
_DEADLINE_RE = re.compile(rf"(?:{'|'.join(_DEADLINE_WORDS)})(?:\s+(?:la|trong|vao))?(?:\s+ngay)?\s+(?=\d)")
# "đơn vị chủ trì" / "cơ quan chủ trì" name a role to be filled, not a body. The look-behinds come after the
# literal, so that the engine looks for "chu tri" at C speed instead of trying them at every position.
_CHU_TRI = re.compile(r"chu tri(?<!don vi chu tri)(?<!co quan chu tri)(?!\s+(?:phien hop|hop|cuoc hop|hoi nghi|buoi))")
_WARD_BEFORE = re.compile(r"(?:xa|phuong|thi tran|pho|duong|truong)$")  # a bare name after these is no district
_SENTENCE_SPLIT = re.compile(r"[.;!?](?:\s|$)")
_PARENS = re.compile(r"\([^()]*\)")


@dataclass
class ItemFields:
    """The parsed fields of one item, before sector classification."""

    headline: str
    body: str
    doc_type: str = ""
    doc_symbol: str = ""
    doc_date: dt.date | None = None
    is_normative: bool = False
    issuer: str = ""
    leader: str = ""
    leader_source: str = ""
    unit: str = ""
    lead_agencies: list[str] = field(default_factory=list)
    districts: list[str] = field(default_factory=list)
    cited_documents: list[str] = field(default_factory=list)
    deadlines: list[dt.date] = field(default_factory=list)
    problems: list[tuple[str, str]] = field(default_factory=list)  # (code, message)


def own_document(lead: str, symbols: list[Symbol], vocab: Vocab, reference: Symbol | None = None) -> Symbol | None:
    """The item's own document in its lead: the provincial symbol that is not cited as "… của UBND tỉnh"
    (`reference`, when already found), else the first provincial symbol at all."""
    own = reference or own_reference(lead, symbols, vocab.own_issuer_codes)
    return own or next((s for s in symbols if is_own_symbol(s, vocab.own_issuer_codes)), None)


def _date_near(text: str, sym: Symbol) -> dt.date | None:
    m = _DATE_AFTER_SYMBOL.match(text, sym.end)
    if m and (d := DATE_RE.match(text, m.end(), m.end() + 40)) and (day := match_date(d)):
        return day  # the date written right after it, within 40 characters
    # Otherwise the date closest to the symbol in the same sentence.
    dates = find_dates(text)
    return min(dates, key=lambda d: min(abs(d[1] - sym.end), abs(d[2] - sym.start)))[0] if dates else None


def doc_type_of(sym: Symbol, vocab: Vocab) -> str:
    """Type by the symbol: TYPE-ISSUER gives the type; ISSUER-UNIT is a Công văn."""
    first = sym.groups[0]
    if first in vocab.type_names and len(sym.groups) >= 2:
        return vocab.type_names[first]
    return vocab.letter_type


def _actor(text: str, profile: Profile) -> str:
    """The first directing role named in `text` (folded); the office is matched, then skipped."""
    for m in profile.actor_re.finditer(text):
        if m["pct"]:
            return profile.vice_chairman
        if m["ct"]:
            return profile.chairman
        if m["ub"]:
            return profile.province
    return ""


def _chair_actor(folded_lead: str, profile: Profile) -> str:
    """For a meeting: the role named just before "chủ trì"."""
    at = folded_lead.find("chu tri")
    if at < 0:
        return _actor(folded_lead, profile)
    roles = list(profile.actor_re.finditer(folded_lead[:at]))
    return _actor(roles[-1].group(0), profile) if roles else _actor(folded_lead, profile)


def _stated_leader(lead: str, folded: str, vocab: Vocab) -> tuple[str, bool]:
    """(name, in_roster) of the leader the lead names, or ("", False); `folded` is its `fold_words`."""
    best = None
    for term in vocab.leaders:
        at = folded.find(term.key)
        if at >= 0 and (best is None or at < best[0]):
            best = (at, term.name)
    if best:
        return best[1], True
    m = _NAME_AFTER_DONG_CHI.search(lead)
    if m and all(w[:1].isupper() for w in m.group(1).split()):
        return m.group(1), False
    return "", False


def _roster_holder(vocab: Vocab, role: str, day: dt.date, standing: bool) -> str:
    names = {t.name for t in vocab.leaders if t.role == role and t.held_on(day) and (t.standing or not standing)}
    return names.pop() if len(names) == 1 else ""


def _lead_agencies(folded_paragraphs: list[str], vocab: Vocab) -> list[str]:
    found: list[str] = []
    for folded in folded_paragraphs:
        if "chu tri" not in folded:
            continue
        subject = None  # the paragraph's subject, found when a sentence names no agency before "chủ trì"
        for sentence in _SENTENCE_SPLIT.split(folded):
            m = _CHU_TRI.search(sentence) if "chu tri" in sentence else None
            if not m:
                continue
            agency = _first_agency(_PARENS.sub(" ", sentence[: m.start()]), vocab)
            if not agency:
                if subject is None:
                    subject = _first_agency(folded[:120], vocab, near_start=True)
                agency = subject
            if agency and agency not in found:
                found.append(agency)
    return found


def _first_agency(folded: str, vocab: Vocab, near_start: bool = False) -> str:
    m = vocab.agency_re.search(fold_words(folded, folded=True))
    if not m or (near_start and m.start() > 12):
        return ""
    return vocab.agency_canonical[m.group(1)]


def _places(words: str, vocab: Vocab, day: dt.date) -> list[str]:
    """Districts and communes named in `words` (`fold_words` text)."""
    found: list[str] = []
    for p in vocab.districts_in(words):
        explicit = p.kind_key + p.key[1:] in words  # "huyện Cao Lộc", "thành phố <province>"
        # A bare province name is the province (not its capital city); other bare district names are districts.
        if explicit or (p.key != vocab.profile.key and _bare_district(words, p.key)):
            found.append(p.label)
    # Communes only with their kind word ("xã Thạch Đạn"): the units of the item's date.
    found.extend((vocab.commune_index if day >= vocab.reform_date else vocab.former_commune_index).find(words))
    return found


def _bare_district(words: str, needle: str) -> bool:
    # "UBND các huyện Tràng Định, Văn Lãng, Cao Lộc …" names districts bare; "phường Chi Lăng" is a ward.
    start = 0
    while (at := words.find(needle, start)) >= 0:
        before = words[max(0, at - 10) : at]
        if not _WARD_BEFORE.search(before):
            return True
        start = at + 1
    return False


def _deadlines(folded: str, anchor: dt.date) -> list[dt.date]:
    out: list[dt.date] = []
    for m in matches_at(_DEADLINE_RE, folded, occurrences(folded, _DEADLINE_WORDS)):
        if m.start() and folded[m.start() - 1].isalpha():
            continue
        d = SHORT_DATE_RE.match(folded, m.end())
        if not d:
            continue
        if d["d2"]:
            day = make_date(int(d["d2"]), int(d["m2"]), int(d["y2"]))
        else:
            year = int(d["y"]) if d["y"] else anchor.year
            day = make_date(int(d["d"]), int(d["m"]), year)
            if day and not d["y"] and day < anchor - dt.timedelta(days=60):
                day = make_date(int(d["d"]), int(d["m"]), year + 1)
        if day and day not in out:
            out.append(day)
    return out


def _issuer(item: ItemFields, own: Symbol | None, meeting: bool, lead: str, folded_lead: str, profile: Profile) -> str:
    """Who directed the item: the meeting's chair, a Ban Chỉ đạo by its symbol, else the role the lead names."""
    if meeting:
        return _chair_actor(folded_lead, profile) or profile.province
    if own is not None and profile.steering_code in own.groups:
        return profile.steering
    if own is not None and profile.chairman_code in own.groups:
        return profile.chairman
    prefix = fold_prefix(lead, folded_lead, own.start) if own is not None else folded_lead
    issuer = _actor(prefix, profile) or _actor(folded_lead, profile) or profile.province
    if own is not None and own.groups[0] == profile.office_code and issuer == profile.province:
        item.problems.append(
            ("vp_letter_without_leader", f"{own.text} is a Văn phòng letter but the lead names no leader")
        )
        return profile.office
    return issuer


def _leader(
    item: ItemFields, meeting: bool, block: Block, folded_lead: str, vocab: Vocab, day: dt.date | None
) -> tuple[str, str]:
    """(leader, leader_source): the name the lead states, else the roster's holder of the role that day."""
    # A name in the lead is the directing leader only when a person (or a meeting chair) directs.
    profile = vocab.profile
    if meeting or item.issuer in (profile.chairman, profile.vice_chairman, profile.steering):
        lead = block.paragraphs[0] if block.paragraphs else ""
        name, in_roster = _stated_leader(lead, block.folded_words(1, 2), vocab)
        if name:
            if not in_roster:
                item.problems.append(("unknown_leader", f"leader '{name}' is not in the profile's leaders.yaml"))
            return name, "stated"
    standing = bool(profile.standing_re.search(folded_lead))
    if day and (item.issuer == profile.chairman or (item.issuer == profile.vice_chairman and standing)):
        holder = _roster_holder(vocab, item.issuer, day, standing)
        if holder:
            return holder, "inferred"
    return "", ""


def parse_block(block: Block, vocab: Vocab, week_start: dt.date | None) -> ItemFields:
    """All fields of one item block except the sector."""
    lead = block.paragraphs[0] if block.paragraphs else ""
    item = ItemFields(headline=block.headline, body="\n".join(block.paragraphs))
    folded_lead = block.folded[0] if block.folded else ""
    own = own_document(lead, block.symbols[1] if len(block.symbols) > 1 else [], vocab, block.reference)
    meeting = own is None and is_meeting_lead(folded_lead)

    if own is not None:
        item.doc_symbol = own.text
        item.doc_date = _date_near(lead, own)
        item.doc_type = doc_type_of(own, vocab)
        item.is_normative = own.is_normative
        if own.groups[0] in vocab.profile.drafting_codes and len(own.groups) >= 2:
            item.unit = "-".join(own.groups[1:])
            if item.unit not in vocab.units:
                item.problems.append(
                    ("unknown_unit", f"drafting unit '{item.unit}' of {own.text} is not in the profile's units.yaml")
                )
        if item.doc_date is None:
            item.problems.append(("no_document_date", f"no date found for {own.text}"))
    elif meeting:
        item.doc_type = vocab.meeting_type
        dates = find_dates(lead)
        item.doc_date = dates[0][0] if dates else None
    else:
        item.doc_type = vocab.unknown_type
        item.problems.append(("no_document", "the lead sentence names no document of the province and no meeting date"))

    item.issuer = _issuer(item, own, meeting, lead, folded_lead, vocab.profile)
    item.leader, item.leader_source = _leader(item, meeting, block, folded_lead, vocab, item.doc_date or week_start)
    item.lead_agencies = _lead_agencies(block.folded, vocab)
    anchor = item.doc_date or week_start or dt.date.today()
    item.districts = _places(block.folded_words(), vocab, anchor)
    symbols = (s.text for line in block.symbols for s in line)
    item.cited_documents = list(dict.fromkeys(s for s in symbols if s != item.doc_symbol))
    item.deadlines = _deadlines("\n".join(block.folded), anchor)
    return item
