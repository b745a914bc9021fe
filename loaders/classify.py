"""One primary sector per item (so shares add up to 100%), secondary sectors, and the reason.

Score per sector: each keyword found in the headline counts 3, in the lead or first body paragraph 1
(data/vocab/sectors.yaml); the first lead department ("… chủ trì") adds 2 to its sectors
(the profile's departments.yaml); the drafting unit adds 1 to the sectors it is a prior for. With no signal
at all the item is "unclassified" and reported.

A tie (two sectors with the top score) is broken by this rule, not by the order of the sector list (that is
only the last resort, when one keyword names two sectors and nothing else tells them apart):
1. the lead department's sectors, its primary (first listed) sector first;
2. the drafting unit's prior sectors;
3. more points from the headline (what the digest chose to say about the item);
4. the keyword written last in the headline, then in the lead: headlines put the frame first and the
   object last ("kinh phí hỗ trợ … giao thông nông thôn", "nâng cao năng lực cạnh tranh và phát triển
   dịch vụ logistics").
`reason` then says it was a tie, with which sectors and which step decided.
"""

from __future__ import annotations

from dataclasses import dataclass

from loaders.textnorm import matches_at
from loaders.vocab import Vocab

HEADLINE_WEIGHT = 3
BODY_WEIGHT = 1
LEAD_AGENCY_WEIGHT = 2
UNIT_WEIGHT = 1
SECONDARY_SHARE = 0.5  # a secondary sector scores at least half the primary's score


@dataclass(frozen=True)
class SectorResult:
    """The classification of one item."""

    sector: str  # name_vi
    secondary: list[str]
    reason: str
    unclassified: bool


#: The keywords of one item: those in its headline, and those in its lead and first body paragraph, each in order of
#: first appearance with the end of its last occurrence in that text.
Keywords = tuple[dict[str, int], dict[str, int]]


def _keywords(head: str, body: str, vocab: Vocab) -> Keywords:
    """Keywords found in `head` and in `body`, each in order of first appearance with the end of its last
    occurrence in that text. One automaton pass over both: a keyword never spans the " \n " between them."""
    return _lowered_keywords(head.lower(), body.lower(), vocab)


def _lowered_keywords(low_head: str, low_body: str, vocab: Vocab) -> Keywords:
    low = f"{low_head} \n {low_body}"
    matches = vocab.keyword_matches(low)
    if matches is None:  # a keyword inside a longer word: the regex decides, where keywords occur
        found_re = matches_at(vocab.keyword_re, low, vocab.keyword_starts(low))
        matches = [(m.group(0), m.start(), m.end()) for m in found_re]
    found: Keywords = ({}, {})
    offset = len(low_head) + 3
    for keyword, start, end in matches:
        if start < offset:
            found[0][keyword] = end
        else:
            found[1][keyword] = end - offset
    return found


def keywords_of(items: list[tuple[str, list[str]]], vocab: Vocab) -> list[Keywords]:
    """What `classify` finds in each item of one digest (`_keywords` of its headline and first two paragraphs),
    from each (headline, paragraphs) lower-cased (`str.lower`, as `Block.lower` holds them), searched all at
    once.

    The items' texts are run together with " \n ", which no keyword spans and which ends every word, so the
    automaton's matches in the whole are each item's own; one pass over a digest costs less than one per item.
    Should a match start or end outside its item's text, or the automaton leave a match to the regex, each
    item is searched alone. (Lower-casing each line is lower-casing the texts: no letter's lower case looks
    past the " \n " between them.)"""
    heads = [head for head, _ in items]
    texts = [head + " \n " + " \n ".join(paragraphs[:2]) for head, paragraphs in items]
    matches = vocab.keyword_matches(" \n ".join(texts))
    found = _split_matches(matches, heads, texts) if matches is not None else None
    if found is None:
        return [_lowered_keywords(head, " \n ".join(paragraphs[:2]), vocab) for head, paragraphs in items]
    return found


def _split_matches(matches: list[tuple[str, int, int]], heads: list[str], texts: list[str]) -> list[Keywords] | None:
    """`_keywords` of each of `texts` (headline `heads[i]` first) from the matches in them all run together
    with " \n "; None when a match is not inside one of them."""
    out: list[Keywords] = []
    k, start = 0, 0  # the next match, where the current text starts
    for head, text in zip(heads, texts, strict=True):
        end, offset = start + len(text), start + len(head) + 3
        found: Keywords = ({}, {})
        while k < len(matches) and matches[k][1] < end:
            keyword, at, stop = matches[k]
            if at < start or stop > end:
                return None
            if at < offset:
                found[0][keyword] = stop - start
            else:
                found[1][keyword] = stop - offset
            k += 1
        out.append(found)
        start = end + 3
    return out


def classify(
    headline: str,
    paragraphs: list[str],
    lead_agencies: list[str],
    unit: str,
    vocab: Vocab,
    keywords: Keywords | None = None,
) -> SectorResult:
    """Classify one item from its headline, first paragraphs, lead departments and drafting unit; `keywords`
    are those of the headline and paragraphs when already found (`keywords_of`)."""
    scores: dict[str, int] = {}
    evidence: dict[str, list[str]] = {}
    head_points: dict[str, int] = {}
    last_at: dict[str, int] = {}  # position of a sector's last keyword: headline first, then the lead

    def add(sector_id: str, points: int, why: str) -> None:
        scores[sector_id] = scores.get(sector_id, 0) + points
        evidence.setdefault(sector_id, []).append(why)

    head_kw, body_kw = keywords or _keywords(headline, " \n ".join(paragraphs[:2]), vocab)
    for kw, end in head_kw.items():
        for sid in vocab.keyword_sectors[kw]:
            add(sid, HEADLINE_WEIGHT, f"“{kw}” (tiêu đề)")
            head_points[sid] = head_points.get(sid, 0) + HEADLINE_WEIGHT
            last_at[sid] = max(last_at.get(sid, -1), end)
    offset = len(headline) + 1
    for kw, end in body_kw.items():
        if kw not in head_kw:
            for sid in vocab.keyword_sectors[kw]:
                add(sid, BODY_WEIGHT, f"“{kw}”")
                last_at[sid] = max(last_at.get(sid, -1), offset + end)
    agency_sectors: tuple[str, ...] = ()
    if lead_agencies:
        agency_sectors = vocab.agency_sectors.get(lead_agencies[0], ())
        for sid in agency_sectors:
            add(sid, LEAD_AGENCY_WEIGHT, f"chủ trì: {lead_agencies[0]}")
    unit_sectors = vocab.unit_sectors.get(unit, ()) if unit else ()
    # The unit prior only breaks ties among sectors that already have evidence of their own.
    for sid in unit_sectors:
        if sid in scores:
            add(sid, UNIT_WEIGHT, f"đơn vị: {unit}")

    if not scores:
        u = vocab.unclassified
        return SectorResult(u.name_vi, [], "không có từ khóa, cơ quan chủ trì hay đơn vị nào khớp", True)
    steps = (
        ("cơ quan chủ trì", lambda sid: agency_sectors.index(sid) if sid in agency_sectors else len(agency_sectors)),
        ("đơn vị soạn thảo", lambda sid: sid not in unit_sectors),
        ("điểm ở tiêu đề", lambda sid: -head_points.get(sid, 0)),
        ("từ khóa nêu sau", lambda sid: -last_at.get(sid, -1)),
    )
    # Last resort (one keyword of two sectors, nothing else to tell them apart): the taxonomy's order.
    order = vocab.sector_order
    seen: set[int] = set()
    shared: set[int] = set()  # scores more than one sector has
    for score in scores.values():
        (shared if score in seen else seen).add(score)

    def rank_key(sid: str) -> tuple[int, ...]:
        # The steps only order sectors of equal score: a score no other sector has needs none of them.
        score = scores[sid]
        return (-score, *(rank(sid) for _, rank in steps), order[sid]) if score in shared else (-score,)

    ranked = sorted(scores, key=rank_key)
    top = ranked[0]
    secondary = [vocab.sector(s).name_vi for s in ranked[1:3] if scores[s] >= SECONDARY_SHARE * scores[top]]
    reason = "; ".join(evidence[top])
    tied = [sid for sid in ranked[1:] if scores[sid] == scores[top]]
    if tied:
        # The first step that tells the winner from the runner-up decided.
        step = next((name for name, rank in steps if rank(top) != rank(tied[0])), "thứ tự lĩnh vực")
        names = ", ".join(vocab.sector(sid).name_vi for sid in tied)
        reason += f"; hòa điểm với {names}: chọn theo {step}"
    return SectorResult(vocab.sector(top).name_vi, secondary, reason, False)
