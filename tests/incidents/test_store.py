"""The incident and surge stores on SQLite and PostgreSQL: follow-ups are enqueued in
the transaction that resolves, once; a key has one active surge at a time."""

from __future__ import annotations

from datetime import timedelta

from handlers.pipeline import envelope
from storage.incidents import Affected, IncidentStore
from storage.store import NewOutbound, Store
from storage.surges import SurgeKey, SurgeStore
from tests.builders import message


async def _conversation(store: Store, clock, user: str) -> int:
    msg = message("hi", chat_id=user, sender_id=user)
    return (await store.record_inbound(envelope(msg), msg.text, clock())).conversation_id


async def test_resolving_enqueues_each_follow_up_once(store: Store, clock) -> None:
    incidents = IncidentStore(store)
    incident_id, created = await incidents.open(
        title="t", texts={"en": "x"}, faqs=["f"], networks=[], coins=[], by="sue", now=clock()
    )
    assert created
    users = [Affected(await _conversation(store, clock, u), "web", u, "de") for u in ("a", "b")]
    for user in (*users, users[0]):
        await incidents.affect(incident_id, user, clock())

    def follow_up(user: Affected) -> list[NewOutbound]:
        return [NewOutbound(user.channel, user.chat_id, {"type": "reply", "text": user.language})]

    assert await incidents.resolve(incident_id, "sue", clock(), follow_up) == 2
    assert await incidents.resolve(incident_id, "sue", clock(), follow_up) is None
    assert not await incidents.affect(incident_id, users[0], clock())  # resolved: no more
    assert sorted(o.chat_id for o in await store.outbox()) == ["a", "b"]
    (listed,) = await incidents.recent()
    assert (listed.affected, listed.notified, listed.status) == (2, 2, "resolved")


async def test_a_key_has_one_active_surge(store: Store, clock) -> None:
    surges = SurgeStore(store)
    key = SurgeKey("faq:f", "network", "tron")
    for user in ("a", "b", "b"):
        await surges.record([key], await _conversation(store, clock, user), "where?", clock())
    later = clock() + timedelta(seconds=1)
    assert await surges.counts(clock() - timedelta(minutes=5), later) == {key: 2}
    assert await surges.examples(key, clock() - timedelta(minutes=5), 3) == ["where?"]
    first = await surges.start(key, 2, [], clock(), lambda _id: [])
    assert first is not None
    assert await surges.start(key, 3, [], clock(), lambda _id: []) is None
    await surges.end([first], clock())
    assert await surges.start(key, 3, [], clock(), lambda _id: []) is not None
    await surges.prune(later)
    assert await surges.counts(clock() - timedelta(minutes=5), later) == {}
