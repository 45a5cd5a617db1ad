"""A file's type is read from its content, never from its name."""

from __future__ import annotations

import pytest

from handlers.attachments import content_type, download_name
from tests.samples import HTML_AS_PNG, PDF, png


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (png(), "image/png"),
        (b"\xff\xd8\xff\xe0\x00\x10JFIF\x00", "image/jpeg"),
        (b"RIFF\x24\x00\x00\x00WEBPVP8 ", "image/webp"),
        (PDF, "application/pdf"),
        ("tx 0xabc… failed at 12:03\nretrying\n".encode(), "text/plain"),
        ("\ufeffUID 12345678, Überweisung".encode(), "text/plain"),
    ],
)
def test_accepted_types_are_recognized_by_their_bytes(data: bytes, expected: str) -> None:
    assert content_type(data) == expected


@pytest.mark.parametrize(
    "data",
    [
        HTML_AS_PNG,  # a web page named photo.png
        b"<svg xmlns='http://www.w3.org/2000/svg' onload='alert(1)'/>",
        b"note for support\n<script>steal()</script>",
        b"<?xml version='1.0'?><x/>",
        b"RIFF\x24\x00\x00\x00WAVEfmt ",  # RIFF, but audio
        b"PK\x03\x04zipped",
        b"MZ\x90\x00 an executable",
        b"\x00\x01\x02 binary",
        b"\xc3\x28 not UTF-8",
        b"",
    ],
)
def test_anything_else_is_refused(data: bytes) -> None:
    assert content_type(data) is None


def test_a_download_name_is_header_safe_and_ends_in_its_type() -> None:
    assert download_name("photo.png", "text/plain", "file-1") == "photo.png.txt"
    assert download_name("scan.JPEG", "image/jpeg", "file-1") == "scan.JPEG"
    assert download_name('a"b\r\nc.pdf', "application/pdf", "file-1") == "a_b__c.pdf"
    assert download_name("", "image/png", "file-7") == "file-7.png"
