"""A message's files survive in the inbox's envelope: a message handled again after a
crash can fetch them again, and rows from before files were kept still read."""

from __future__ import annotations

from channels.base import Attachment
from handlers.pipeline import envelope, message_from_envelope
from tests.builders import message


def test_a_files_reference_round_trips_through_the_envelope() -> None:
    photo = Attachment(kind="photo", ref="AgAD000001", size=1234, mime="image/jpeg")
    sticker = Attachment(kind="sticker")
    sent = message("", attachments=(photo, sticker))
    again = message_from_envelope(envelope(sent), "")
    assert again.attachments == (photo, sticker)


def test_an_envelope_from_before_keeps_the_kinds() -> None:
    old = envelope(message(""))
    old["attachments"] = ["photo", "document"]
    assert [a.kind for a in message_from_envelope(old, "").attachments] == ["photo", "document"]
    assert all(a.ref is None for a in message_from_envelope(old, "").attachments)
