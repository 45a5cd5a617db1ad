"""Kept files on SQLite and PostgreSQL: linked to their message and the open ticket,
kept once however often the message is handled, read back byte for byte."""

from __future__ import annotations

from handlers.pipeline import envelope
from storage.attachments import AttachmentStore, NewFile
from storage.store import Store
from storage.ticket_records import TicketAccess
from storage.tickets import TicketStore
from tests.builders import message
from tests.samples import PDF, png


async def test_a_messages_files_are_kept_once_with_its_ticket(store: Store, clock) -> None:
    first = message("/ticket help", chat_id="c1", sender_id="u1")
    inbound = await store.record_inbound(envelope(first), first.text, clock())
    opened = await TicketStore(store).open(
        inbound.conversation_id, category="other", summary="help", language="en", now=clock()
    )
    photo = message("", chat_id="c1", sender_id="u1")
    inbound = await store.record_inbound(envelope(photo), "", clock())
    files = AttachmentStore(store)
    given = [
        (0, NewFile("a.png", "image/png", png())),
        (1, NewFile("b.pdf", "application/pdf", PDF)),
    ]
    ids = await files.keep_inbound(
        inbound.message_id, inbound.conversation_id, "web", "c1", given, clock()
    )
    again = await files.keep_inbound(
        inbound.message_id, inbound.conversation_id, "web", "c1", given, clock()
    )
    assert again == ids and len(set(ids)) == 2
    listed = await files.of_conversation(inbound.conversation_id)
    assert [(f.name, f.mime, f.message_id, f.ticket_id) for f in listed] == [
        ("a.png", "image/png", inbound.message_id, opened.ticket_id),
        ("b.pdf", "application/pdf", inbound.message_id, opened.ticket_id),
    ]
    loaded = await files.load(ids[1])
    assert loaded is not None and (loaded.data, loaded.chat_id) == (PDF, "c1")
    assert await files.tickets_of(inbound.conversation_id) == [
        TicketAccess(assignee_id=None, tier=1)
    ]
    assert await files.conversation_of(ids[0]) == inbound.conversation_id
