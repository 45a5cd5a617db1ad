"""Storage on SQLite and PostgreSQL: the inbox dedupes, the outbox keeps order."""

from __future__ import annotations

from datetime import timedelta

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import create_engine
from sqlmodel import SQLModel

import storage.models  # noqa: F401
from handlers.pipeline import envelope
from storage.store import Lease, NewOutbound, Store
from tests.builders import message

LEASE = Lease("test-host:1:a")


def test_migrations_create_exactly_the_tables_the_models_describe(db_url: str) -> None:
    engine = create_engine(db_url)
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), SQLModel.metadata)
    engine.dispose()
    assert diff == []


async def test_a_redelivered_update_lands_on_the_same_row(store: Store, clock) -> None:
    msg = message("hi", platform_message_id="555")
    first = await store.record_inbound(envelope(msg), msg.text, clock())
    again = await store.record_inbound(envelope(msg), msg.text, clock())
    assert again.message_id == first.message_id
    assert not again.already_processed
    assert await store.complete_inbound(
        first, intent="greeting", language="en", outbound=[], now=clock()
    )
    third = await store.record_inbound(envelope(msg), msg.text, clock())
    assert third.already_processed
    assert not await store.complete_inbound(
        first,
        intent="greeting",
        language="en",
        outbound=[NewOutbound("web", "c", {"x": 1})],
        now=clock(),
    )
    assert await store.outbox() == []  # the second completion enqueued nothing


async def test_one_identity_and_conversation_per_user_and_chat(store: Store, clock) -> None:
    a = await store.record_inbound(envelope(message("1")), "1", clock())
    b = await store.record_inbound(envelope(message("2")), "2", clock())
    c = await store.record_inbound(envelope(message("3", chat_id="other")), "3", clock())
    assert a.identity_id == b.identity_id == c.identity_id
    assert a.conversation_id == b.conversation_id != c.conversation_id


async def test_the_language_choice_is_remembered(store: Store, clock) -> None:
    first = await store.record_inbound(envelope(message("1")), "1", clock())
    await store.set_language(first.identity_id, "de")
    later = await store.record_inbound(envelope(message("2")), "2", clock())
    assert later.chosen_language == "de"


async def test_claims_take_one_item_per_chat_in_order(store: Store, clock) -> None:
    rows = [
        NewOutbound("web", "a", {"n": 1}),
        NewOutbound("web", "a", {"n": 2}),
        NewOutbound("web", "b", {"n": 3}),
    ]
    await store.enqueue(rows, clock())
    claimed = await store.claim_due(clock(), 10, lease=LEASE)
    assert sorted(w.action["n"] for w in claimed) == [1, 3]
    assert await store.claim_due(clock(), 10, lease=LEASE) == []  # chat a waits for item 1
    first = next(w for w in claimed if w.action["n"] == 1)
    await store.mark_delivered(first, "p1", None, clock())
    assert [w.action["n"] for w in await store.claim_due(clock(), 10, lease=LEASE)] == [2]


async def test_a_retry_waits_until_it_is_due(store: Store, clock) -> None:
    await store.enqueue([NewOutbound("web", "a", {"n": 1})], clock())
    (work,) = await store.claim_due(clock(), 10, lease=LEASE)
    await store.mark_retry(work, clock() + timedelta(seconds=5), "429")
    assert await store.settle_and_claim([], clock(), 10, lease=LEASE) == ([], timedelta(seconds=5))
    clock.advance(5)
    (again,) = await store.claim_due(clock(), 10, lease=LEASE)
    assert again.attempts == 2


async def test_a_sender_is_told_when_its_own_channels_next_fall_due(store: Store, clock) -> None:
    await store.enqueue([NewOutbound("elsewhere", "a", {"n": 1})], clock())
    # due now, but on a channel this sender does not serve: nothing for it to wait for
    assert await store.settle_and_claim([], clock(), 10, ["web"], lease=LEASE) == ([], None)
    await store.enqueue([NewOutbound("web", "b", {"n": 2})], clock())
    (work,) = await store.claim_due(clock(), 10, ["web"], lease=LEASE)
    await store.mark_retry(work, clock() + timedelta(seconds=7), "503")
    due = timedelta(seconds=7)
    assert await store.settle_and_claim([], clock(), 10, ["web"], lease=LEASE) == ([], due)


async def test_interactive_replies_go_before_bulk_traffic(store: Store, clock) -> None:
    await store.enqueue(
        [NewOutbound("web", f"bulk{i}", {"n": i}, priority=10) for i in range(5)], clock()
    )
    await store.enqueue([NewOutbound("web", "user", {"n": 99}, priority=0)], clock())
    claimed = await store.claim_due(clock(), 1, lease=LEASE)
    assert claimed[0].action["n"] == 99


async def test_items_in_flight_at_a_crash_are_sent_again_once_their_lease_ran_out(
    store: Store, clock
) -> None:
    await store.enqueue([NewOutbound("web", "a", {"n": 1})], clock())
    await store.claim_due(clock(), 10, lease=LEASE)  # the process dies here, mid-send
    restarted = Lease("test-host:2:b")
    clock.advance(LEASE.seconds)
    assert await store.keep_leases(restarted, clock()) == 0  # the lease still holds
    assert await store.claim_due(clock(), 10, lease=restarted) == []
    clock.advance(1)
    assert await store.keep_leases(restarted, clock()) == 1
    (again,) = await store.claim_due(clock(), 10, lease=restarted)
    assert (again.owner, again.attempts) == (restarted.owner, 2)


async def test_delivered_text_joins_the_transcript(store: Store, clock) -> None:
    inbound = await store.record_inbound(envelope(message("q")), "q", clock())
    await store.complete_inbound(
        inbound,
        intent="greeting",
        language="en",
        outbound=[NewOutbound("web", "chat-1", {"t": 1}, inbound.conversation_id)],
        now=clock(),
    )
    (work,) = await store.claim_due(clock(), 10, lease=LEASE)
    await store.mark_delivered(work, "out-1", "the answer", clock())
    transcript = await store.transcript(inbound.conversation_id)
    assert [(m.direction, m.text) for m in transcript] == [("in", "q"), ("out", "the answer")]


async def test_one_failing_write_in_a_group_commit_fails_alone(tmp_path) -> None:
    import asyncio

    from sqlalchemy import text

    from storage.engine import make_engine
    from storage.writer import TransactionRunner

    engine = make_engine(f"sqlite:///{tmp_path / 'g.db'}")
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE t (k TEXT PRIMARY KEY)"))
    from concurrent.futures import ThreadPoolExecutor

    runner = TransactionRunner(engine, ThreadPoolExecutor(max_workers=1), group_commit=True)

    def put(conn, key: str) -> str:
        conn.execute(text("INSERT INTO t (k) VALUES (:k)"), {"k": key})
        return key

    def boom(conn) -> None:
        conn.execute(text("INSERT INTO t (k) VALUES ('x')"))
        raise RuntimeError("this job fails")

    results = await asyncio.gather(
        runner.run(put, "a"), runner.run(boom), runner.run(put, "b"), return_exceptions=True
    )
    assert results[0] == "a" and results[2] == "b"
    assert isinstance(results[1], RuntimeError)
    with engine.connect() as conn:
        assert sorted(r[0] for r in conn.execute(text("SELECT k FROM t"))) == ["a", "b"]
    engine.dispose()


async def test_linked_agent_accounts_survive_the_move_to_one_accounts_table(db_url: str) -> None:
    from alembic import command
    from sqlalchemy import text

    from storage.migrate import alembic_config, upgrade
    from storage.tickets import TicketStore

    command.downgrade(alembic_config(db_url), "0013")  # agents with a column per platform
    engine = create_engine(db_url)
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO agents (name, role, token_hash, created_at, telegram_user_id,"
                " discord_user_id, tier, online, round_robin_turn) VALUES"
                " ('ana', 'agent', 'h1', CURRENT_TIMESTAMP, '501', NULL, 1, false, 0),"
                " ('ben', 'agent', 'h2', CURRENT_TIMESTAMP, '777', '601', 1, false, 0)"
            )
        )
    engine.dispose()
    upgrade(db_url)
    store = Store.open(db_url)
    try:
        tickets = TicketStore(store)
        found = {
            (channel, account): (await tickets.agent_by_account(channel, account)).name
            for channel, account in (("telegram", "501"), ("telegram", "777"), ("discord", "601"))
        }
        assert found == {
            ("telegram", "501"): "ana",
            ("telegram", "777"): "ben",
            ("discord", "601"): "ben",
        }
        assert await tickets.agent_by_account("discord", "501") is None
        assert await tickets.link_account("ana", "discord", "602")  # a new channel for ana
        assert (await tickets.agent_by_account("discord", "602")).name == "ana"
    finally:
        await store.close()
