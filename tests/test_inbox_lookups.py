"""What the record of a message tells the stages that read for it, and the secrets
the inbox finds once: a conversation's resolved ticket, a rating comment asked for,
an open incident; an FAQ question with a password in it, counted for surge alerts."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import insert, select, update
from sqlalchemy.engine import Connection

from bots.app import build_router
from bots.config import parse_config
from handlers.context import Brand
from handlers.pipeline import Pipeline, envelope
from handlers.texts import Texts
from storage.inbox import Lookups
from storage.models import AskedQuestion, table_of
from storage.statements import INCIDENT, TICKET
from storage.store import Store
from tests.builders import message

NOW = datetime(2026, 12, 3, 12, 0, tzinfo=UTC)
ASKED = table_of(AskedQuestion)


async def record(store: Store, text: str = "hello") -> Lookups:
    inbound = await store.record_inbound(envelope(message(text)), text, NOW)
    return inbound.lookups


async def test_a_new_conversation_has_nothing_to_look_up(store) -> None:
    assert await record(store) == Lookups(
        resolved_ticket=False, comment_asked=False, incident_open=False
    )


async def test_a_resolved_ticket_an_awaited_comment_and_an_open_incident_are_seen(
    store,
) -> None:
    conversation = (await store.record_inbound(envelope(message()), "hi", NOW)).conversation_id

    def resolve_asking(conn: Connection) -> None:
        conn.execute(
            insert(TICKET).values(
                conversation_id=conversation,
                channel="web",
                chat_id="chat-1",
                status="resolved",
                created_at=NOW,
                resolved_at=NOW,
                rating=1,
                rating_comment_asked_at=NOW,
            )
        )
        conn.execute(
            insert(INCIDENT).values(
                title="TRON",
                texts={"en": "delayed"},
                faqs=[],
                networks=[],
                coins=[],
                opened_by="sue",
                opened_at=NOW,
            )
        )

    await store.write(resolve_asking)
    assert await record(store, "one more thing") == Lookups(True, True, True)

    def comment_given(conn: Connection) -> None:
        conn.execute(update(TICKET).values(rating_comment="slow", rating_comment_asked_at=None))
        conn.execute(update(INCIDENT).values(status="resolved"))

    await store.write(comment_given)
    assert await record(store, "thanks") == Lookups(True, False, False)


async def test_a_question_counted_for_surges_is_kept_without_its_password(store, clock) -> None:
    pipeline = Pipeline(
        store=store,
        router=build_router(parse_config({})),
        texts=Texts.load(),
        brand=Brand(),
        clock=clock,
    )
    await pipeline.dispatch(message("hello"))  # greeted first
    text = "Where is my deposit? It was USDT over TRC20, password: Hunter2!x"
    decision = await pipeline.dispatch(message(text))
    assert decision is not None and decision.refs == ["faq:deposit-not-arrived"]
    assert decision.scam.reasons == ["secret_password"]  # the guard saw it too
    asked = await store.read(lambda conn: [r.text for r in conn.execute(select(ASKED))])
    assert asked == ["Where is my deposit? It was USDT over TRC20, password: [redacted: password]"]
    stored = [m.text for m in await store.messages("in")]
    assert stored[-1:] == asked
