"""A province is a profile folder, not code: a copy of the Lạng Sơn profile renamed to another province parses
that province's digests with no code change, and the Lạng Sơn profile does not take them for its own."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

import loaders
from loaders.config import NATIONAL_VOCAB_DIR, PROFILE_DIR
from loaders.textnorm import fold_words
from loaders.vocab import VocabError, load_vocab
from tests.conftest import SEEDS

OLD, NEW = ("Lạng Sơn", "lạng sơn", "LẠNG SƠN", "lang son"), ("Cao Bằng", "cao bằng", "CAO BẰNG", "cao bang")
#: Columns that do not carry the province's name: they must come out the same for the rewritten digests.
SAME = ["item_no", "doc_type", "doc_symbol", "doc_date", "issuer", "leader", "leader_source", "unit", "sector"]
LISTS = ["lead_agencies", "districts", "cited_documents", "deadlines"]


def _rename(text: str) -> str:
    for old, new in zip(OLD, NEW, strict=True):
        text = text.replace(old, new)
    return text


def _back(value: object) -> object:
    if isinstance(value, list):
        return [_back(v) for v in value]
    return value.replace(NEW[0], OLD[0]) if isinstance(value, str) else value


@pytest.fixture(scope="module")
def other(tmp_path_factory) -> tuple[Path, Path]:
    """(profile folder, digests folder) of a made-up Cao Bằng: the Lạng Sơn profile and seeds, renamed."""
    root = tmp_path_factory.mktemp("caobang")
    profile = root / "caobang"
    shutil.copytree(PROFILE_DIR, profile)
    for path in profile.glob("*.yaml"):
        path.write_text(_rename(path.read_text(encoding="utf-8")), encoding="utf-8")
    text = (profile / "profile.yaml").read_text(encoding="utf-8")
    (profile / "profile.yaml").write_text(text.replace("id: langson", "id: caobang"), encoding="utf-8")
    digests = root / "digests"
    digests.mkdir()
    for seed in SEEDS:
        text = _rename(seed.read_text(encoding="utf-8"))
        # The title names its own province: "… nổi bật của UBND tỉnh Cao Bằng[, lãnh đạo …] trong tuần (…)".
        text = re.sub(r"(nổi bật của UBND tỉnh)([, ])", r"\1 Cao Bằng\2", text)
        (digests / seed.name).write_text(text, encoding="utf-8")
    return profile, digests


def test_the_copy_is_another_province(other):
    profile, _ = other
    vocab = load_vocab(profile)
    assert (vocab.profile.id, vocab.profile.name) == ("caobang", "Cao Bằng")
    assert "Cao Bằng" in vocab.profile.app_title["vi"]
    assert load_vocab().profile.name == "Lạng Sơn"  # the default is untouched


def test_another_profile_parses_its_digests_with_no_code_change(seed_items, other):
    profile, digests = other
    items, report = loaders.load([digests], vocab_dir=profile)
    assert not report.failed
    assert all("Cao Bằng" in f.title for f in report.files), [f.title for f in report.files]
    assert not [p for _, p in report.problems() if p.code in ("no_title", "no_week", "week_inferred")]
    reference, _ = seed_items
    assert len(items) == len(reference) == 70
    pd_cols = ["source", *SAME, "week"]
    assert items[pd_cols].astype(str).values.tolist() == reference[pd_cols].astype(str).values.tolist()
    for col in LISTS:
        assert [_back(v) for v in items[col]] == list(reference[col]), col
    # The profile's name decides what a bare mention is: "tỉnh Cao Bằng" is the province, the city is explicit.
    by_symbol = items.set_index("doc_symbol")
    assert by_symbol.loc["435/UBND-NC", "districts"] == []
    assert by_symbol.loc["1517/VP-KTCN", "districts"][0] == "thành phố Cao Bằng"


def test_the_default_profile_does_not_take_another_province_for_its_own(other):
    _, digests = other
    _, report = loaders.load([digests])
    assert all(f.title == "" for f in report.files)
    assert all("no_title" in {p.code for p in f.warnings} for f in report.files)


def test_the_automata_find_every_place_the_regexes_match():
    # classify and the place look-ups try their regex only where an automaton finds a keyword or a name.
    vocab = load_vocab(PROFILE_DIR)
    for seed in SEEDS:
        text = seed.read_text(encoding="utf-8").lower()
        found = {m.start() for m in vocab.keyword_re.finditer(text)}
        assert found and found <= set(vocab.keyword_starts(text))
        words = fold_words(text)
        for index in (vocab.commune_index, vocab.former_commune_index):
            assert index.find(words) == [
                label for _, label in sorted({index.keys[m.group(1)] for m in index.regex.finditer(words)})
            ]
        assert vocab.districts_in(words) == [p for p in vocab.districts if p.key in words]


def test_an_empty_sector_keyword_is_refused(tmp_path):
    national = tmp_path / "national"
    shutil.copytree(NATIONAL_VOCAB_DIR, national)
    sectors = national / "sectors.yaml"
    sectors.write_text(sectors.read_text(encoding="utf-8").replace("keywords: [", 'keywords: ["", ', 1), "utf-8")
    with pytest.raises(VocabError, match="empty keyword"):
        load_vocab.__wrapped__(PROFILE_DIR, national)


@pytest.mark.parametrize(
    "text",
    [
        "Bảo đảm an ninh, an toàn giao thông và phòng cháy chữa cháy",  # every keyword stands alone
        "Quan ninh xã: bảo đảm an ninh trật tự",  # "an ninh" also inside "quan ninh"
        "an toàn giao thôngx, an toàn thực phẩm",  # the longest keyword runs into a longer word
    ],
)
def test_keywords_are_what_the_keyword_regex_matches(text):
    from loaders.classify import _keywords

    vocab = load_vocab(PROFILE_DIR)
    low = text.lower()
    expected: dict[str, int] = {}
    for m in vocab.keyword_re.finditer(low):
        expected[m.group(0)] = m.end()
    head, body = _keywords(text, "", vocab)
    assert (list(head.items()), body) == (list(expected.items()), {})
    assert head


@pytest.mark.parametrize("seed", SEEDS, ids=lambda p: p.name[:3])
def test_keywords_of_a_digest_are_each_items_own(seed):
    # One automaton pass over all of a digest's items finds, item by item, what a search of each finds.
    from loaders.classify import _keywords, keywords_of
    from loaders.digest import clean_lines, split_digest
    from loaders.pipeline import read_text

    vocab = load_vocab(PROFILE_DIR)
    blocks = split_digest(clean_lines(read_text(seed, seed.read_bytes())[0], list(vocab.drop_lines)), vocab).blocks
    found = keywords_of([(b.lower[0], b.lower[1:]) for b in blocks], vocab)
    assert found == [_keywords(b.headline, " \n ".join(b.paragraphs[:2]), vocab) for b in blocks]
    assert sum(bool(head) for head, _ in found) > len(blocks) / 2


def test_keywords_of_items_whose_keyword_runs_into_a_word_are_searched_alone():
    from loaders.classify import _keywords, keywords_of

    vocab = load_vocab(PROFILE_DIR)
    items = [("Bảo đảm an ninh trật tự", ["An toàn giao thông"]), ("Quan ninh xã: an ninh", []), ("Y tế", ["x"])]
    lowered = [(head.lower(), [p.lower() for p in paragraphs]) for head, paragraphs in items]
    assert vocab.keyword_matches(" \n ".join(h for h, _ in lowered)) is None  # the batch cannot be split
    expected = [_keywords(head, " \n ".join(paragraphs[:2]), vocab) for head, paragraphs in items]
    assert keywords_of(lowered, vocab) == expected
    assert expected[0][0] and expected[0][1]
