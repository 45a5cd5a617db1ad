"""A message's state changes and its replies commit together, or not at all.

Each test lets the process die at the commit that marks a message handled (a failure
injected into the database's commit), then restarts on the same database: neither the
state change nor the replies are there, and the restarted bot handles the message
again, once, with the same result.
"""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import event, select

from bots.app import build_router
from bots.config import parse_config
from channels.base import Capabilities, Reply
from handlers.context import Brand
from handlers.pipeline import Pipeline
from handlers.texts import Texts
from storage import statements as sql
from storage.statements import IDENT
from storage.store import Store
from storage.tickets import TicketStore
from tests.builders import message


class Died(Exception):
    """The process ended here."""


class DeathAtCommit:
    """Fails the commit of any transaction that marks an inbound message handled."""

    def __init__(self, store: Store) -> None:
        self.engine = store.engine
        self.armed = True
        event.listen(self.engine, "before_execute", self._executed)
        event.listen(self.engine, "commit", self._commit)
        event.listen(self.engine, "rollback", self._rollback)

    def _executed(self, conn: Any, clause: Any, *_args: Any) -> None:
        if clause is sql.MARK_HANDLED:
            conn.info["marks_handled"] = True

    def _commit(self, conn: Any) -> None:
        if conn.info.pop("marks_handled", False) and self.armed:
            raise Died("killed at the commit")

    def _rollback(self, conn: Any) -> None:
        conn.info.pop("marks_handled", None)

    def disarm(self) -> None:
        self.armed = False
        event.remove(self.engine, "before_execute", self._executed)
        event.remove(self.engine, "commit", self._commit)
        event.remove(self.engine, "rollback", self._rollback)


def pipeline_on(store: Store, clock: Any) -> Pipeline:
    return Pipeline(
        store=store,
        router=build_router(parse_config({})),
        texts=Texts.load(),
        brand=Brand(languages=("en", "vi", "de")),
        clock=clock,
        tickets=TicketStore(store),
        capabilities={"web": Capabilities(max_length=4096, buttons=True)},
    )


async def replies(store: Store) -> list[str]:
    return [row.action["text"] for row in await store.outbox() if "text" in row.action]


async def chosen_language(store: Store) -> str | None:
    with store.engine.connect() as conn:
        return conn.execute(select(IDENT.c.language)).scalar_one()


async def test_a_language_choice_and_its_reply_are_lost_together(db_url, store, clock) -> None:
    death = DeathAtCommit(store)
    with pytest.raises(Died):
        await pipeline_on(store, clock).dispatch(message("/lang vi"))
    death.disarm()
    # after the crash: the choice is not stored and no reply waits to be sent
    assert await chosen_language(store) is None
    assert await store.outbox() == []
    (unhandled,) = await store.messages("in")
    assert unhandled.processed_at is None
    # the process is gone; a new one starts on the same database
    restarted = Store.open(db_url)
    try:
        bot = pipeline_on(restarted, clock)
        assert await bot.resume() == 1
        assert await chosen_language(restarted) == "vi"
        said = await replies(restarted)
        assert said == [Texts.load().get("lang.set", "vi")]  # once, in the chosen language
        assert await bot.resume() == 0
    finally:
        await restarted.close()


async def test_an_intake_answer_and_the_next_question_are_lost_together(
    db_url, store, clock
) -> None:
    bot = pipeline_on(store, clock)
    opened = await bot.dispatch(message("/ticket my deposit is missing"))
    assert opened is not None
    asked = [a for a in opened.actions if isinstance(a, Reply) and a.buttons][-1]
    deposit = next(
        b.data for row in asked.buttons for b in row if b.data.endswith("deposit_missing")
    )
    before = await store.outbox()
    assert (await TicketStore(store).intake(1)).step == "category"

    death = DeathAtCommit(store)
    press = message(callback=deposit, text="")
    with pytest.raises(Died):
        await bot.dispatch(press)
    death.disarm()
    state = await TicketStore(store).intake(1)
    assert (state.category, state.step) == ("other", "category")  # the answer is not kept
    assert len(await store.outbox()) == len(before)  # nor is the next question queued
    # the process is gone; a new one starts on the same database
    restarted = Store.open(db_url)
    try:
        again = pipeline_on(restarted, clock)
        assert await again.resume() == 1
        state = await TicketStore(restarted).intake(1)
        assert (state.category, state.step) == ("deposit_missing", "coin")
        rows = await restarted.outbox()
        assert [r.action["text"] for r in rows[len(before) :]] == ["Which coin was it?"]
        assert await again.dispatch(press) is None  # redelivered: still answered once
    finally:
        await restarted.close()
