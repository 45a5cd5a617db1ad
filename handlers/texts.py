"""Localized user-visible sentences, loaded from ``handlers/locales/<part>.<lang>.toml``.

Every sentence a user can see lives in those files, never in code. Each part of the bot
(``core``, ``guard``, ``answers``...) keeps its own file per language; a key missing in a
language falls back to English, so a language can be added a sentence at a time.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable
from pathlib import Path
from string import Formatter
from typing import Any

LOCALES = Path(__file__).with_name("locales")
FALLBACK = "en"


class Texts:
    """A set of catalogs, one per language code."""

    def __init__(self, catalogs: dict[str, dict[str, str]]) -> None:
        if FALLBACK not in catalogs:
            raise ValueError("the English catalog is required: it is every key's fallback")
        self._catalogs = catalogs

    @classmethod
    def load(cls, folder: Path = LOCALES) -> Texts:
        """Read every ``<part>.<lang>.toml`` in ``folder``; raises on a malformed file
        or on a key defined twice for one language."""
        catalogs: dict[str, dict[str, str]] = {}
        for path in sorted(folder.glob("*.*.toml")):
            language = path.name.split(".")[-2]
            catalog = catalogs.setdefault(language, {})
            with path.open("rb") as fh:
                for key, value in _flatten(tomllib.load(fh)):
                    if key in catalog:
                        raise ValueError(
                            f"{path.name}: key {key!r} is defined twice for {language}"
                        )
                    catalog[key] = value
        return cls(catalogs)

    @property
    def languages(self) -> list[str]:
        return sorted(self._catalogs)

    def has(self, key: str, language: str) -> bool:
        return key in self._catalogs.get(language, {})

    def get(self, key: str, language: str, **values: Any) -> str:
        """The sentence ``key`` in ``language`` (or English), with ``values`` filled in.

        Raises ``KeyError`` for a key that even English lacks: a missing sentence is a
        bug to surface in tests, not something to paper over at run time.
        """
        template = self._catalogs.get(language, {}).get(key)
        if template is None:
            template = self._catalogs[FALLBACK][key]
        return template.format(**values) if values else template

    def placeholders(self, key: str, language: str) -> set[str]:
        template = self._catalogs.get(language, {}).get(key, "")
        return {name for _, name, _, _ in Formatter().parse(template) if name}

    def section(self, prefix: str, language: str) -> dict[str, str]:
        """Every key under ``prefix`` (``"canned."``) in ``language``, English filling gaps."""
        merged = {k: v for k, v in self._catalogs[FALLBACK].items() if k.startswith(prefix)}
        merged.update(
            (k, v) for k, v in self._catalogs.get(language, {}).items() if k.startswith(prefix)
        )
        return merged

    def keys(self, language: str) -> Iterable[str]:
        return self._catalogs.get(language, {}).keys()


def _flatten(tree: dict[str, Any], prefix: str = "") -> Iterable[tuple[str, str]]:
    for name, value in tree.items():
        key = f"{prefix}{name}"
        if isinstance(value, dict):
            yield from _flatten(value, f"{key}.")
        else:
            yield key, str(value)
