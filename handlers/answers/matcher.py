"""Finding the entry a question is about.

Two signals, each suited to what it looks for:

- **Names** (activities and airdrops): the names in every language, the aliases, the
  token symbol and the id are matched word by word with rapidfuzz's edit-distance ratio
  (typos: "futres sprnt"), short words and symbols exactly ("ABC", "$abc"), and scripts
  written without spaces (Chinese, Japanese, Korean) as substrings. Generic words such
  as "airdrop" are not names, so a question about an airdrop the base does not know
  finds no name and is never answered with another airdrop's facts.
- **FAQs**: the ways users ask each question, in every language, are indexed as
  character n-gram TF-IDF vectors (scikit-learn; 2-4-grams within words, 1-2-grams in
  Chinese and Japanese); character n-grams need no word segmentation and survive
  typos and inflection. A question's score is its best cosine similarity with one of
  an FAQ's phrasings.

Both scores lie in [0, 1] and are the confidence the stage compares with its thresholds.
``bench/answers.py`` measures the result on labelled questions.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass
from typing import Any

import numpy as np
from rapidfuzz import fuzz, process

from handlers.answers.knowledge import Knowledge
from handlers.answers.schema import Activity, Airdrop

# Scripts written without spaces between words (and hangul, whose words carry particles).
_DENSE = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\u1100-\u11ff"
_TOKEN = re.compile(f"[{_DENSE}]+|[^\\W_{_DENSE}]+")
_HAS_DENSE = re.compile(f"[{_DENSE}]")
DENSE_LIMIT = 25_000_000  # n-grams x phrasings kept as a dense float32 array (100 MB)
WORD_CUTOFF = 80  # a word matched below this edit-distance ratio counts as absent
SHORT_WORD = 4  # words this long or shorter match only exactly (typos need a longer word)


_LATIN_MARKS = re.compile("[\u0300-\u036f]")


def normalize(text: str) -> str:
    """The form every matcher sees: case-folded, Latin accents and punctuation dropped.

    Users often type without accents ("le hoi nap tien" for "lễ hội nạp tiền", "uber"
    for "über"), so both sides lose them. Only Latin combining marks go: kana voicing
    marks and hangul syllables are recomposed unchanged.
    """
    text = unicodedata.normalize("NFKD", text.casefold().replace("đ", "d"))
    text = unicodedata.normalize("NFKC", _LATIN_MARKS.sub("", text))
    return " ".join(_TOKEN.findall(text))


@dataclass(frozen=True, slots=True)
class Candidate:
    ref: str
    score: float


@dataclass(frozen=True, slots=True)
class _Form:
    ref: str
    words: tuple[str, ...]  # Latin-like words, or one dense run
    dense: bool


class Matcher:
    """Built once per version of the knowledge base; matching is then read-only."""

    def __init__(self, knowledge: Knowledge) -> None:
        self.knowledge = knowledge
        named: list[Activity | Airdrop] = [*knowledge.activities, *knowledge.airdrops]
        self._forms = [form for entry in named for form in _forms_of(entry)]
        self._names = NameIndex(self._forms)
        self._faq_refs: list[str] = []
        phrasings: list[str] = []
        for faq in knowledge.faqs:
            for questions in faq.questions.values():
                for question in questions:
                    self._faq_refs.append(f"faq:{faq.id}")
                    phrasings.append(question)
        self.fitted = bool(phrasings)
        if phrasings:
            self._vocabulary, self._idf, self._by_gram = _tfidf(phrasings)

    def names(self, text: str) -> list[Candidate]:
        """Activities and airdrops named in ``text``, best first."""
        return self._names.find(text)

    def faqs(self, text: str, limit: int = 3) -> list[Candidate]:
        """The FAQs whose phrasings are closest to ``text``, best first."""
        if not self.fitted:
            return []
        sims = self.similarities(text)
        if sims is None:
            return []
        best: dict[str, float] = {}
        for index in np.argsort(-sims)[: limit * 6]:
            ref = self._faq_refs[index]
            if ref not in best:
                best[ref] = float(sims[index])
        return [Candidate(r, s) for r, s in list(best.items())[:limit] if s > 0]

    def similarities(self, text: str) -> np.ndarray | None:
        """Cosine similarity of ``text`` with every phrasing (``None``: no known n-gram).

        Sublinear tf (1 + log tf), times idf, L2-normalized: what the fitted vectorizer
        computes, so scores match ``transform`` exactly.
        """
        counts = Counter(g for g in char_grams(text) if g in self._vocabulary)
        if not counts:
            return None
        index = np.fromiter(
            (self._vocabulary[g] for g in counts), dtype=np.int64, count=len(counts)
        )
        weights = 1.0 + np.log(np.fromiter(counts.values(), dtype=np.float32, count=len(counts)))
        weights *= self._idf[index]
        weights /= np.linalg.norm(weights)
        return np.asarray(weights @ self._by_gram[index]).ravel()


def _tfidf(phrasings: list[str]) -> tuple[dict[str, int], np.ndarray, Any]:
    """Vocabulary, idf and the n-gram by phrasing weights of scikit-learn's
    ``TfidfVectorizer(analyzer=char_grams, sublinear_tf=True)`` (smooth idf, L2 rows),
    computed here because importing scikit-learn costs a second at every start
    (``tests/test_answers.py`` checks the two agree).

    One row per n-gram: its weight in each phrasing; dense while it is small (tens of
    thousands of n-grams by hundreds of phrasings), as row picks from a dense array
    cost a fraction of sparse indexing."""
    counted = [Counter(char_grams(p)) for p in phrasings]
    vocabulary = {g: i for i, g in enumerate(sorted({g for c in counted for g in c}))}
    df = np.zeros(len(vocabulary), dtype=np.float64)
    rows: list[int] = []
    cols: list[int] = []
    values: list[float] = []
    for doc, counts in enumerate(counted):
        for gram, count in counts.items():
            df[vocabulary[gram]] += 1
            rows.append(vocabulary[gram])
            cols.append(doc)
            values.append(1.0 + float(np.log(count)))
    idf = (np.log((1 + len(phrasings)) / (1 + df)) + 1.0).astype(np.float32)
    weights = np.array(values, dtype=np.float32) * idf[rows]
    norms = np.zeros(len(phrasings), dtype=np.float32)
    np.add.at(norms, cols, weights**2)
    weights /= np.sqrt(norms)[cols]
    shape = (len(vocabulary), len(phrasings))
    if shape[0] * shape[1] <= DENSE_LIMIT:
        # each (n-gram, phrasing) pair occurs once, so placing the weights is exact
        dense = np.zeros(shape, dtype=np.float32)
        dense[rows, cols] = weights
        return vocabulary, idf, dense
    # only a very large base needs sparse rows; importing scipy costs every start
    from scipy.sparse import csr_matrix

    return vocabulary, idf, csr_matrix((weights, (rows, cols)), shape=shape)


def char_grams(text: str) -> list[str]:
    """The features of a text: 2-4-grams of each word padded with spaces (scikit-learn's
    ``char_wb``), and 1-2-grams of runs in scripts without spaces, where one character
    is often a word (Chinese, Japanese). Measured in ``docs/benchmarks.md``."""
    grams: list[str] = []
    for word in normalize(text).split():
        if _HAS_DENSE.match(word):
            grams += word
            grams += [word[i : i + 2] for i in range(len(word) - 1)]
            continue
        padded = f" {word} "
        for n in (2, 3, 4):
            grams += [padded[i : i + n] for i in range(len(padded) - n + 1)]
    return grams


def names_of(entry: Activity | Airdrop) -> list[str]:
    """What users call an entry: its names in every language and its aliases."""
    return [*entry.name.values(), *entry.aliases]


def _forms_of(entry: Activity | Airdrop) -> list[_Form]:
    kind = "activity" if isinstance(entry, Activity) else "airdrop"
    ref = f"{kind}:{entry.id}"
    names = [*names_of(entry), entry.id.replace("-", " ")]
    if isinstance(entry, Airdrop):
        names.append(entry.token)
    forms = []
    for name in names:
        norm = normalize(name)
        if not norm:
            continue
        if _HAS_DENSE.search(norm):
            forms.append(_Form(ref, (norm.replace(" ", ""),), dense=True))
        else:
            forms.append(_Form(ref, tuple(norm.split()), dense=False))
    return forms


class NameIndex:
    """Names looked up by their words, so a question costs the same with 10 entries or
    1,000: the question's words are compared once with the vocabulary of name words
    (one vectorized rapidfuzz call), and only the names all of whose words were found
    are scored. Names in scripts without spaces are prefiltered by a shared character
    pair before the substring and near-substring checks."""

    def __init__(self, forms: list[_Form]) -> None:
        self._latin = [f for f in forms if not f.dense]
        self._dense = [f for f in forms if f.dense]
        self._vocabulary = sorted({w for f in self._latin for w in f.words})
        self._short = {w for w in self._vocabulary if len(w) <= SHORT_WORD or w.isdigit()}
        self._long = [w for w in self._vocabulary if w not in self._short]
        self._by_word: dict[str, list[int]] = {}
        for index, form in enumerate(self._latin):
            for word in set(form.words):
                self._by_word.setdefault(word, []).append(index)
        self._by_pair: dict[str, set[int]] = {}
        for index, form in enumerate(self._dense):
            needle = form.words[0]
            # a one-character name shares no pair: it is always checked (key "")
            pairs = {needle[i : i + 2] for i in range(len(needle) - 1)} or {""}
            for pair in pairs:
                self._by_pair.setdefault(pair, set()).add(index)

    def find(self, text: str) -> list[Candidate]:
        norm = normalize(text)
        tokens = [t for t in norm.split() if not _HAS_DENSE.match(t)]
        best: dict[str, float] = {}
        for form, score in self._latin_scores(tokens):
            if score > best.get(form.ref, 0.0):
                best[form.ref] = score
        compact = norm.replace(" ", "")
        for form, score in self._dense_scores(compact):
            if score > best.get(form.ref, 0.0):
                best[form.ref] = score
        return sorted((Candidate(r, s) for r, s in best.items() if s > 0), key=lambda c: -c.score)

    def _latin_scores(self, tokens: list[str]) -> list[tuple[_Form, float]]:
        if not tokens:
            return []
        found: dict[str, float] = {w: 100.0 for w in set(tokens) if w in self._short}
        # Words a name can rest on: found exactly, or near a question word longer than
        # SHORT_WORD. A short question word is near a longer name word more often by
        # chance than by typo ("mang", Vietnamese "mạng" without its marks, is 89% of
        # "mango"; "earn" of "learn"), so it completes a name but never makes one alone.
        anchored = set(found)
        if self._long:
            grid = process.cdist(
                tokens, self._long, scorer=fuzz.ratio, score_cutoff=WORD_CUTOFF, workers=1
            )
            long_rows = np.array([len(t) > SHORT_WORD for t in tokens])
            for column in np.flatnonzero(grid.max(axis=0)):
                word = self._long[column]
                found[word] = float(grid[:, column].max())
                if found[word] == 100.0 or grid[long_rows, column].max(initial=0.0) > 0:
                    anchored.add(word)
        touched = {i for word in found for i in self._by_word.get(word, ())}
        out = []
        for index in touched:
            form = self._latin[index]
            scores = [found.get(word, 0.0) for word in form.words]
            # every word of a name: "ABC airdrop" is not "XYZ airdrop"
            if all(scores) and anchored.intersection(form.words):
                out.append((form, sum(scores) / len(scores) / 100.0))
        return out

    def _dense_scores(self, compact: str) -> list[tuple[_Form, float]]:
        """A name in a script without spaces: a substring, or nearly one (one wrong
        character in four or more)."""
        if not compact or not self._dense:
            return []
        pairs = {compact[i : i + 2] for i in range(max(len(compact) - 1, 1))}
        touched = {i for pair in pairs for i in self._by_pair.get(pair, ())}
        touched.update(self._by_pair.get("", ()))
        out = []
        for index in touched:
            form = self._dense[index]
            needle = form.words[0]
            if needle in compact:
                out.append((form, 1.0))
            elif len(needle) >= 4:
                score = fuzz.partial_ratio(needle, compact, score_cutoff=75) / 100.0
                if score:
                    out.append((form, score))
        return out


# Upper-case words that are not entry names: common tickers and acronyms in questions.
_COMMON_SYMBOLS = frozenset(
    [
        "USDT",
        "USDC",
        "BTC",
        "ETH",
        "BNB",
        "SOL",
        "TRX",
        "XRP",
        "DOGE",
        "KYC",
        "UID",
        "VIP",
        "API",
        "P2P",
        "NFT",
        "USD",
        "EUR",
        "FAQ",
        "TX",
        "ID",
        "OK",
        "PM",
        "DM",
        "AM",
        "GMT",
        "UTC",
        "CEO",
        "APP",
        "OTP",
        "SMS",
        "DEX",
        "CEX",
        "AML",
        "TRC20",
        "ERC20",
        "BEP20",
        "I",
    ]
)
_SYMBOL = re.compile(r"(?<![\w$])\$?([A-Z][A-Z0-9]{1,9})(?![a-z])")


def unknown_symbols(text: str) -> list[str]:
    """Upper-case symbols in ``text`` that are no common ticker or acronym: tokens a
    question names ("wen ZKX airdrop"); one the base holds is matched as a name first."""
    return [m for m in _SYMBOL.findall(text) if m not in _COMMON_SYMBOLS]
