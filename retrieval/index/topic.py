"""Is an article about Russia–North Korea relations? A deterministic, measurable filter.

Two tests, both required:

1. **Entities.** Russia (Russia, Rusia, Moscow, Kremlin, Putin, …) *and* North Korea (North
   Korea, Korea Utara, Korut, DPRK, Pyongyang, Kim Jong Un, …) are both named, in the title or
   at least twice each in the text. Covers English, Indonesian, Russian and Korean names.
2. **Meaning.** The article (title and lead) is closer to descriptions of the topic than to
   descriptions of its neighbours (the war in Ukraine alone, South Korea alone, North Korea and
   the United States, China…): ``margin = max sim(topic) - max sim(neighbours) >= threshold``
   (``RNKBOT_TOPIC_THRESHOLD``; the lead's length is ``RNKBOT_TOPIC_LEAD_CHARS``).

Measured with ``rnkbot eval-topic corpus/eval/topic.jsonl`` (precision and recall in the README).
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from corpus.jsonl import read_objects
from retrieval.models.embeddings import VectorEmbeddings
from retrieval.settings import TopicSettings

_RUSSIA = re.compile(
    r"\b(?:russia\w*|rusia|moscow|moskow|moskwa|kremlin|putin|lavrov|shoigu|belousov|vladivostok)\b"
    r"|росси\w*|москв\w*|кремл\w*|путин\w*|러시아|푸틴|모스크바",
    re.IGNORECASE,
)
_NORTH_KOREA = re.compile(
    r"\b(?:north\s+korea\w*|n\.\s?korea\w*|korea\s+utara|korut|dprk|pyongyang|kim\s+jong[\s-]?un|kcna)\b"
    r"|кндр|северн\w+\s+коре\w+|пхеньян\w*|ким\s+чен\s+ын\w*|북한|평양|김정은|조선민주주의인민공화국",
    re.IGNORECASE,
)

TOPIC = [
    "Relations between Russia and North Korea: Putin and Kim Jong Un, their partnership treaty, military cooperation, "
    "North Korean troops and weapons for Russia, visits between Moscow and Pyongyang",
    "Hubungan Rusia dan Korea Utara: Putin dan Kim Jong Un, perjanjian kemitraan, kerja sama militer, "
    "pasukan dan senjata Korea Utara untuk Rusia, kunjungan antara Moskow dan Pyongyang",
    "Russia and North Korea trade, economic cooperation, tourism, transport links and sanctions evasion",
    "Kerja sama ekonomi, perdagangan, pariwisata dan transportasi antara Rusia dan Korea Utara",
    "North Korea supplies missiles, artillery shells and soldiers to Russia for its war in Ukraine; "
    "Russia pays with oil and technology",
    "Korea Utara memasok rudal, amunisi dan tentara ke Rusia untuk perang di Ukraina; Rusia membalas dengan minyak dan teknologi",
]
NEIGHBOURS = [
    "Russia's war against Ukraine: attacks, drones, the front line, Zelensky, peace talks, sanctions on Russia",
    "Perang Rusia dan Ukraina: serangan, drone, garis depan, Zelensky, perundingan damai, sanksi terhadap Rusia",
    "South Korea: politics in Seoul, the president, the economy, companies, culture and K-pop",
    "Korea Selatan: politik di Seoul, presiden, ekonomi, perusahaan, budaya",
    "North Korea and the United States: missile tests, nuclear weapons, denuclearisation talks, joint drills with South Korea",
    "Korea Utara dan Amerika Serikat: uji coba rudal, senjata nuklir, perundingan denuklirisasi",
    "North Korea and China: Kim Jong Un and Xi Jinping, trade across the border",
    "Russia and China, Russia and other countries: energy, trade and diplomacy",
    "Sports: athletes, championships, tournaments, matches and medals",
    "Markets, prices, weather and domestic news; a round-up of unrelated world news in brief",
]
# Words that link the two countries in one sentence ("Moscow and Pyongyang signed a treaty").
_RELATION = re.compile(
    r"\b(?:cooperat\w*|kerja\s?sama|treaty|perjanjian|pact|pakta|allian\w*|aliansi|all(?:y|ies)|sekutu|ties|relations?"
    r"|hubungan|visit\w*|kunjung\w*|met|meet\w*|bertemu|pertemuan|talks|bahas|membahas|troops|tentara|pasukan|soldiers"
    r"|weapons?|senjata|missiles?|rudal|shells|amunisi|peluru|suppl\w+|pasok\w*|memasok|shipp?\w*|kirim\w*|mengirim"
    r"|sent|deliver\w*|trade|perdagangan|dagang|delegation|delegasi|envoy|utusan|bilateral|partnership|kemitraan"
    r"|exchange|pertukaran|bridge|jembatan|rail\w*|kereta|touris\w*|turis|wisata\w*|students|mahasiswa|workers|pekerja"
    r"|labourers|oil|minyak|arms|invit\w*|undangan|brotherhood|solidarit\w*|support\w*|dukung\w*|help\w*|bantu\w*"
    r"|bantuan|embassy|kedutaan|ambassador|duta|deploy\w*|dikerahkan|alongside|bersama)\b",
    re.IGNORECASE,
)
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+|\n+")


def names_either_country(text: str) -> bool:
    """Does the text name Russia or North Korea (or their capitals, leaders, news agencies)?"""
    return bool(_RUSSIA.search(text) or _NORTH_KOREA.search(text))


@lru_cache(maxsize=512)
def _mentions(title: str, text: str) -> tuple[int, int, int, int, int]:
    """How often the title and the whole article name Russia and North Korea, and how many
    sentences link the two: ``(russia_in_title, north_korea_in_title, russia, north_korea, linking)``.
    Read once per article text: the answerer judges each retrieved article, question after question."""
    r_title, k_title = len(_RUSSIA.findall(title)), len(_NORTH_KOREA.findall(title))
    r_all = r_title + len(_RUSSIA.findall(text))
    k_all = k_title + len(_NORTH_KOREA.findall(text))
    together = sum(1 for sent in [title, *_SENTENCE_END.split(text)]
                   if _RUSSIA.search(sent) and _NORTH_KOREA.search(sent) and _RELATION.search(sent))
    return r_title, k_title, r_all, k_all, together


@dataclass(frozen=True)
class TopicDecision:
    on_topic: bool
    margin: float
    russia_mentions: int
    north_korea_mentions: int
    reason: str


class TopicFilter:
    """Decides whether an article belongs in the corpus. Thread-safe; description vectors are
    computed once, on first use."""

    def __init__(self, embeddings: VectorEmbeddings, settings: TopicSettings | None = None) -> None:
        self.embeddings = embeddings
        self.settings = settings or TopicSettings()
        self.threshold = self.settings.threshold
        self._lock = threading.Lock()
        self._topic: np.ndarray | None = None
        self._neighbours: np.ndarray | None = None

    def _vectors(self) -> tuple[np.ndarray, np.ndarray]:
        with self._lock:
            if self._topic is None or self._neighbours is None:
                self._topic = np.stack([self.embeddings.query_vector(t) for t in TOPIC])
                self._neighbours = np.stack([self.embeddings.query_vector(t) for t in NEIGHBOURS])
            return self._topic, self._neighbours

    def margin(self, title: str, text: str, vector: np.ndarray | None = None) -> float:
        """How much closer the article's title and lead are to the topic than to its neighbours.
        ``vector``: the lead's vector when the caller has one already (no embedding then)."""
        topic, neighbours = self._vectors()
        vec = vector if vector is not None else \
            self.embeddings.embed_passages([f"{title}\n{text[: self.settings.lead_chars]}"])[0]
        return float(np.max(topic @ vec) - np.max(neighbours @ vec))

    def decide(self, title: str, text: str, vector: np.ndarray | None = None) -> TopicDecision:
        r_title, k_title, r_all, k_all, together = _mentions(title, text)
        if not ((r_title and k_title) or (r_all >= 2 and k_all >= 2)):
            missing = "Russia" if r_all < 2 and not r_title else "North Korea"
            return TopicDecision(False, 0.0, r_all, k_all, f"off topic: {missing} is hardly named")
        if together == 0:
            return TopicDecision(False, 0.0, r_all, k_all,
                                 "off topic: no sentence links Russia and North Korea (visit, treaty, troops, trade…)")
        margin = self.margin(title, text, vector)
        if margin < self.threshold:
            return TopicDecision(False, margin, r_all, k_all,
                                 f"off topic: closer to other news than to Russia–North Korea relations (margin {margin:+.3f})")
        return TopicDecision(True, margin, r_all, k_all, f"on topic (margin {margin:+.3f})")


@dataclass(frozen=True)
class TopicItem:
    id: str
    title: str
    text: str
    on_topic: bool
    kind: str
    lang: str


@dataclass(frozen=True)
class TopicScore:
    precision: float
    recall: float
    accuracy: float
    tp: int
    fp: int
    fn: int
    tn: int
    errors: list[tuple[TopicItem, TopicDecision]]


def load_topic_items(path: Path) -> list[TopicItem]:
    """Labelled items, one JSON object a line: id, title, text, on_topic (bool), kind, lang."""
    return [
        TopicItem(id=str(obj["id"]), title=str(obj["title"]), text=str(obj["text"]), on_topic=bool(obj["on_topic"]),
                  kind=str(obj.get("kind", "")), lang=str(obj.get("lang", "")))
        for _, obj in read_objects(path, "topic item", ("id", "title", "text", "on_topic"))
    ]


def score_topic(flt: TopicFilter, items: list[TopicItem]) -> TopicScore:
    tp = fp = fn = tn = 0
    errors = []
    for item in items:
        d = flt.decide(item.title, item.text)
        if d.on_topic and item.on_topic:
            tp += 1
        elif d.on_topic:
            fp += 1
        elif item.on_topic:
            fn += 1
        else:
            tn += 1
        if d.on_topic != item.on_topic:
            errors.append((item, d))
    return TopicScore(precision=tp / (tp + fp) if tp + fp else 1.0, recall=tp / (tp + fn) if tp + fn else 1.0,
                      accuracy=(tp + tn) / len(items) if items else 0.0, tp=tp, fp=fp, fn=fn, tn=tn, errors=errors)
