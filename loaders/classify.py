"""One primary sector per item (so shares add up to 100%), secondary sectors, and the reason.

Score per sector: each keyword found in the headline counts 3, in the lead or first body paragraph 1
(data/vocab/sectors.yaml); the first lead department ("… chủ trì") adds 2 to its sectors
(the profile's departments.yaml); the drafting unit adds 1 to the sectors it is a prior for. Ties go to the
lead department's sector, then the unit's, then taxonomy order. With no signal at all the item is
"unclassified" and reported.
"""

from __future__ import annotations

from dataclasses import dataclass

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


def _keywords(text: str, vocab: Vocab) -> list[str]:
    found: list[str] = []
    for m in vocab.keyword_re.finditer(text.lower()):
        if m.group(0) not in found:
            found.append(m.group(0))
    return found


def classify(headline: str, paragraphs: list[str], lead_agencies: list[str], unit: str, vocab: Vocab) -> SectorResult:
    """Classify one item from its headline, first paragraphs, lead departments and drafting unit."""
    scores: dict[str, int] = {}
    evidence: dict[str, list[str]] = {}

    def add(sector_id: str, points: int, why: str) -> None:
        scores[sector_id] = scores.get(sector_id, 0) + points
        evidence.setdefault(sector_id, []).append(why)

    head_kw = _keywords(headline, vocab)
    for kw in head_kw:
        for sid in vocab.keyword_sectors[kw]:
            add(sid, HEADLINE_WEIGHT, f"“{kw}” (tiêu đề)")
    for kw in _keywords(" \n ".join(paragraphs[:2]), vocab):
        if kw not in head_kw:
            for sid in vocab.keyword_sectors[kw]:
                add(sid, BODY_WEIGHT, f"“{kw}”")
    agency_sectors: tuple[str, ...] = ()
    if lead_agencies:
        agency_sectors = vocab.agency_sectors.get(lead_agencies[0], ())
        for sid in agency_sectors:
            add(sid, LEAD_AGENCY_WEIGHT, f"chủ trì: {lead_agencies[0]}")
    unit_sectors = tuple(s.id for s in vocab.sectors if unit and unit in s.units)
    # The unit prior only breaks ties among sectors that already have evidence of their own.
    for sid in unit_sectors:
        if sid in scores:
            add(sid, UNIT_WEIGHT, f"đơn vị: {unit}")

    if not scores:
        u = vocab.unclassified
        return SectorResult(u.name_vi, [], "không có từ khóa, cơ quan chủ trì hay đơn vị nào khớp", True)
    order = {s.id: i for i, s in enumerate(vocab.sectors)}
    ranked = sorted(
        scores,
        key=lambda sid: (-scores[sid], sid not in agency_sectors, sid not in unit_sectors, order[sid]),
    )
    top = ranked[0]
    secondary = [vocab.sector(s).name_vi for s in ranked[1:3] if scores[s] >= SECONDARY_SHARE * scores[top]]
    reason = "; ".join(evidence[top])
    return SectorResult(vocab.sector(top).name_vi, secondary, reason, False)
