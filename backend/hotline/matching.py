"""Which compound a work order's address names, and which catalog type its words describe.
Pure: no database, no HTTP. Every match carries its score (0–100) and the reason shown to the
supervisor.

Addresses are compared after normalising the usual variants: full-width characters, spaces and
punctuation, Chinese numerals before a building word (三号楼 → 3号楼), the building words
themselves (3栋 / 3幢 / 3座 → 3号楼) and the word 小区. A compound is known by its name and its
aliases (saved from the review queue), and by its address when that is found whole; the score
is RapidFuzz's partial ratio (the best alignment of the compound's name inside the address, so a
city or street prefix costs nothing), and a number of the name must appear as it is. Names are first looked up exactly, then the fuzzy scorer runs only on the compounds
that share uncommon characters (or pairs of them) with the address, which keeps 10,000
compounds fast.
"""

from __future__ import annotations

import re
import unicodedata
import uuid
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from rapidfuzz import fuzz

# Below it an order goes to the review queue. A wrong compound costs its company points it did
# not lose, a review a minute of a supervisor's time: one different character in a name of up
# to nine (锦秀花园 for 锦绣花园, 锦绣苑 for 锦华苑) is left to a person.
THRESHOLD = 90
CANDIDATE_FLOOR = 70  # below it a compound is not offered there

_NUMERALS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6,
             "七": 7, "八": 8, "九": 9}
_CN_NUMBER = re.compile(r"([零〇一二两三四五六七八九十百]+)(?=号楼|号|栋|幢|座|单元|楼|层|室)")
_BUILDING = re.compile(r"(\d+)(?:号楼|号栋|栋|幢|座)")
_NOISE = re.compile(r"[\s\-_,，。.、;；:：()（）\[\]【】\"'“”‘’#/\\]+")


def _cn_to_int(text: str) -> int:
    """一 … 九百九十九 as a number (the numbers buildings have)."""
    total, digit = 0, 0
    for ch in text:
        if ch == "百":
            total += (digit or 1) * 100
            digit = 0
        elif ch == "十":
            total += (digit or 1) * 10
            digit = 0
        else:
            digit = _NUMERALS[ch]
    return total + digit


def normalise(text: str | None) -> str:
    """The comparable form of an address or name."""
    text = unicodedata.normalize("NFKC", text or "").lower()
    text = _CN_NUMBER.sub(lambda m: str(_cn_to_int(m.group(1))), text)
    text = _NOISE.sub("", text)
    text = _BUILDING.sub(r"\1号楼", text)
    return text.replace("小区", "")


def building_of(address: str | None) -> str | None:
    """The building an address names, as the product writes it (3号楼), if it names one."""
    m = re.search(r"(\d+)号楼", normalise(address))
    return f"{int(m.group(1))}号楼" if m else None


@dataclass(frozen=True)
class Known:
    """A compound as the matcher knows it."""

    id: uuid.UUID
    name: str
    address: str | None = None
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class Match:
    compound_id: uuid.UUID | None
    score: float
    reason: str
    candidates: tuple[tuple[uuid.UUID, str, float], ...] = ()  # the best few, for the review

    @property
    def matched(self) -> bool:
        return self.compound_id is not None


_DIGITS = re.compile(r"\d+")


def _score(known: str, text: str) -> float:
    """How well `text` names `known` (0–100): the best alignment of the shorter in the longer.
    A number of the name (陇海西路28号院) must stand in the text as it is: 26号院 is another
    compound however alike the rest."""
    score = fuzz.partial_ratio(known, text) if len(known) <= len(text) else fuzz.ratio(known, text)
    numbers = set(_DIGITS.findall(text))
    if any(n not in numbers for n in _DIGITS.findall(known)):
        return min(score, THRESHOLD - 1)
    return score


def _strip_building(text: str) -> str:
    return re.sub(r"\d+号楼.*$", "", text)


class AddressMatcher:
    def __init__(self, compounds: Iterable[Known]) -> None:
        # every string a compound is known by: (compound index, normalised, how it is known)
        self.compounds: list[Known] = list(compounds)
        self.exact: dict[str, list[tuple[int, str]]] = defaultdict(list)
        self.strings: list[list[tuple[str, str]]] = []
        for i, c in enumerate(self.compounds):
            # scored: the name and the aliases; the address (a city, a district, a road before
            # the name) only when found whole, since its long shared prefix hides a different name
            known = [(normalise(c.name), f"小区名称“{c.name}”")]
            known += [(normalise(a), f"别名“{a}”") for a in c.aliases]
            known = [(s, why) for s, why in known if s]
            self.strings.append(known)
            for s, why in known:
                self.exact[s].append((i, why))
            address = _strip_building(normalise(c.address)) if c.address else ""
            if address:
                self.exact[address].append((i, f"小区地址“{c.address}”"))
        self.lengths = sorted({len(s) for s in self.exact}, reverse=True)
        # the pairs of characters, and the characters, each compound's strings hold
        postings: dict[str, set[int]] = defaultdict(set)
        for i, known in enumerate(self.strings):
            for s, _ in known:
                for k in range(len(s)):
                    postings[s[k]].add(i)
                    postings[s[k:k + 2]].add(i)
        # pairs shared by many compounds (花园, the town's name) tell nothing
        common = max(50, len(self.compounds) // 50)
        self.postings = {pair: ids for pair, ids in postings.items() if len(ids) <= common}

    def match(self, address: str) -> Match:
        text = normalise(address)
        if not text:
            return Match(None, 0, "诉求地址为空")
        exact = self._exact(text)
        if exact is not None:
            return exact
        shared: Counter[int] = Counter()  # a shared pair counts twice a shared character
        for k in range(len(text)):
            for gram, weight in ((text[k], 1), (text[k:k + 2], 2)):
                for i in self.postings.get(gram, ()) if len(gram) == weight else ():
                    shared[i] += weight
        scored = []
        for i, _ in shared.most_common(20):
            best = max(((_score(s, text), len(s), why) for s, why in self.strings[i]),
                       default=None)
            if best:
                scored.append((best[0], best[1], i, best[2]))
        scored.sort(reverse=True)
        # offered to the reviewer: the few close enough to be worth a look
        candidates = tuple((self.compounds[i].id, self.compounds[i].name, round(score, 1))
                           for score, _, i, _ in scored[:3] if score >= CANDIDATE_FLOOR)
        if not scored or scored[0][0] < THRESHOLD:
            top = f"；最接近“{self.compounds[scored[0][2]].name}”（相似度 {scored[0][0]:.0f}）" \
                if scored and scored[0][0] >= CANDIDATE_FLOOR else ""
            return Match(None, scored[0][0] if scored else 0,
                         f"没有相似度达到 {THRESHOLD} 的小区{top}", candidates)
        score, length, i, why = scored[0]
        rival = next((s for s in scored[1:] if s[2] != i), None)
        if rival and rival[0] == score and rival[1] == length:
            return Match(None, score, f"同样接近“{self.compounds[i].name}”和"
                                      f"“{self.compounds[rival[2]].name}”，请人工确认", candidates)
        return Match(self.compounds[i].id, score, f"与{why}相似度 {score:.0f}", candidates)

    def _exact(self, text: str) -> Match | None:
        """The compound whose name, alias or address is found whole in the address. A find
        inside a longer find (锦华苑 inside 嵩山南路锦华苑) does not count; two compounds found
        side by side are left to a person."""
        hits = []  # (start, end, compound, how)
        for length in self.lengths:
            for k in range(len(text) - length + 1):
                for i, why in self.exact.get(text[k:k + length], ()):
                    hits.append((k, k + length, i, why))
        if not hits:
            return None
        outer = [h for h in hits if not any(o[0] <= h[0] and h[1] <= o[1] and o[1] - o[0] > h[1] - h[0]
                                            and o[2] != h[2] for o in hits)]
        found: dict[int, str] = {}
        for _, _, i, why in sorted(outer, key=lambda h: h[0] - h[1]):  # the longest first
            found.setdefault(i, why)
        if len(found) == 1:
            (i, why), = found.items()
            c = self.compounds[i]
            return Match(c.id, 100, f"地址中含{why}", ((c.id, c.name, 100.0),))
        names = "”“".join(self.compounds[i].name for i in found)
        return Match(None, 100, f"地址同时含“{names}”，请人工确认",
                     tuple((self.compounds[i].id, self.compounds[i].name, 100.0) for i in found))


@dataclass(frozen=True)
class TypeRule:
    code: str
    words: tuple[str, ...]


@dataclass(frozen=True)
class TypeMatch:
    code: str | None
    reason: str


def match_type(rules: Sequence[TypeRule], category: str, content: str) -> TypeMatch:
    """The first rule with a word in the content, else in the category (rubrics/hotline.yaml):
    a platform's categories are broad (环境卫生 holds 乱堆 and 清扫 alike), the content says
    what was seen."""
    for where, text in (("诉求内容", content), ("诉求分类", category)):
        for rule in rules:
            word = next((w for w in rule.words if w in (text or "")), None)
            if word:
                return TypeMatch(rule.code, f"{where}含关键词“{word}”")
    return TypeMatch(None, "诉求分类和内容中没有已设的关键词")


def callback_failed(words: Sequence[str], *texts: str) -> bool:
    """核查不符: the callback says the problem was not fixed (seed 002 §四(一) 5)."""
    return any(w in (t or "") for t in texts for w in words)


_PLACE_PREFIX = re.compile(r"^(?:.{1,12}?(?:省|市|县|镇|乡|街道|(?<!小)区))+")
# the building and what follows it (a bare 号 is a house number: 人民路128号 stays whole)
_FROM_BUILDING = re.compile(r"[0-9０-９零〇一二两三四五六七八九十百]+(?:号楼|号栋|栋|幢|座|单元).*$")


def alias_of(address: str | None) -> str:
    """The part of an address that names the compound, as residents wrote it: without the
    city, district or town before it, nor the building after it ("大连市XX镇锦秀花园4幢" → "锦秀花园")."""
    text = (address or "").strip()
    rest = _PLACE_PREFIX.sub("", text)
    text = rest if len(rest) >= 2 else text
    cut = _FROM_BUILDING.sub("", text).strip()
    return (cut if len(cut) >= 2 else text)[:200]
