"""Debian's Chromium for browser tests: where it is, how it is started, and the skip
that names the package when it is missing (never a downloaded browser)."""

from __future__ import annotations

import shutil

import pytest

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def needs_chromium(what: str) -> pytest.MarkDecorator:
    return pytest.mark.skipif(
        CHROMIUM is None, reason=f"{what} needs Chromium (Debian package `chromium`)"
    )
