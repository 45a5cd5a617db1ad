"""Words that tell a language typed without its accents, which lingua cannot see.

Users type Vietnamese without tone marks, Portuguese, German, French and Spanish
without their accents, and Indonesian has none: the statistical detector then hears
English or a neighbour. Two of a language's words here in one message decide it
(``handlers.language``). Kept apart from the detector so its logic stays readable.
"""

from __future__ import annotations

# Vietnamese typed without tone marks: two of these words are very unlikely elsewhere.
_VIETNAMESE_ASCII = frozenset(
    [
        "khi",
        "nao",
        "bao",
        "gio",
        "duoc",
        "dc",
        "khong",
        "ko",
        "chua",
        "nhan",
        "toi",
        "minh",
        "cua",
        "nhe",
        "roi",
        "thi",
        "sao",
        "vay",
        "tien",
        "rut",
        "nap",
        "giup",
        "em",
        "anh",
        "chi",
        "la",
        "gi",
        "lam",
        "nguoi",
        "quen",
        "khau",
        "nhap",
        "chuyen",
        "nham",
    ]
)


# Portuguese and Indonesian chat is typed in short forms and without accents ("da pra
# usar pix no p2p?", "lupa isi memo gmn min"), which statistical detectors take for
# Spanish or English: two of these words, frequent in one and rare in the others, decide.
_PORTUGUESE_ASCII = frozenset(
    [
        "voce",
        "vc",
        "vcs",
        "nao",
        "pra",
        "pro",
        "meu",
        "minha",
        "meus",
        "sou",
        "tem",
        "ja",
        "estou",
        "isso",
        "essa",
        "esse",
        "qual",
        "saque",
        "conta",
        "celular",
        "ainda",
        "tambem",
        "obrigado",
        "ajuda",
        "cade",
        "recebi",
        "consigo",
        "posso",
    ]
)
_INDONESIAN_ASCII = frozenset(
    [
        "saya",
        "aku",
        "gimana",
        "gmn",
        "bagaimana",
        "kapan",
        "kok",
        "ga",
        "gak",
        "nggak",
        "tidak",
        "belum",
        "sudah",
        "udah",
        "bisa",
        "min",
        "kak",
        "dong",
        "sih",
        "ya",
        "yg",
        "yang",
        "untuk",
        "dan",
        "di",
        "ke",
        "dari",
        "tolong",
        "mau",
        "masuk",
        "akun",
    ]
)
# German, French and Spanish questions are often a few words around an English entry
# name ("la Futures League finit quand", "Was ist mit dem Tidal Airdrop los"), which
# lingua reads as English or as a neighbour at low confidence: two of these function
# words, none of which another of the twelve languages (English included) writes as
# often, decide. Words two of them share ("la", "de", "que", "es", "los", "no") are out.
_GERMAN_WORDS = frozenset(
    [
        "ist",
        "nicht",
        "ich",
        "mein",
        "meine",
        "meinen",
        "mit",
        "dem",
        "der",
        "und",
        "wie",
        "wann",
        "warum",
        "noch",
        "kein",
        "keine",
        "auf",
        "bei",
        "wurde",
        "habe",
        "hab",
        "schon",
        "bitte",
        "kann",
        "gibt",
        "einzahlung",
        "auszahlung",
        "konto",
    ]
)
_FRENCH_WORDS = frozenset(
    [
        "le",
        "les",
        "est",
        "c'est",
        "c’est",
        "quand",
        "pourquoi",
        "je",
        "j'ai",
        "j’ai",
        "mon",
        "pas",
        "fini",
        "finit",
        "une",
        "des",
        "du",
        "au",
        "avec",
        "pour",
        "comment",
        "où",
        "vous",
        "sur",
        "dans",
        "toujours",
        "retrait",
        "dépôt",
        "compte",
    ]
)
_SPANISH_WORDS = frozenset(
    [
        "el",
        "las",
        "mi",
        "mis",
        "qué",
        "cuándo",
        "cuando",
        "llego",
        "llegó",
        "tengo",
        "puedo",
        "cómo",
        "hay",
        "pero",
        "del",
        "retiro",
        "empezó",
        "empezo",
        "dónde",
        "donde",
        "cuenta",
        "ayuda",
        "todavía",
    ]
)
TYPED_WITHOUT_MARKS = {
    "vi": _VIETNAMESE_ASCII,
    "pt": _PORTUGUESE_ASCII,
    "id": _INDONESIAN_ASCII,
    "de": _GERMAN_WORDS,
    "fr": _FRENCH_WORDS,
    "es": _SPANISH_WORDS,
}
