"""The staff chat as a desk: claim, answer and resolve tickets without the console.

Each new ticket is announced in the staff chat with a Claim button. An agent (known by
the platform account linked to them, ``socialdesk agents link``) presses it to take the
ticket; replying to the announcement, or to the bot's claim message, sends the reply to
the user as that agent's, on the platform the user wrote from; Resolve closes the ticket
and asks the user for a rating. The rules are the API's: of two claims one wins, an
agent answers only their own tickets, a supervisor any.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any, Protocol

from channels import registry
from channels.base import Action, Button, Message, Reply
from handlers.outbox_rows import Outbox
from handlers.texts import Texts
from storage.agents import AgentAdmin, AgentRecord
from storage.audit import VIA_STAFF_CHAT, AuditedDesk
from storage.sent_actions import SentActions
from storage.ticket_records import TicketRow, TicketView
from storage.ticket_views import TicketViews
from storage.tickets import TicketStore

STAFF_CALLBACK = "staff:"


class Press(Protocol):
    """A staff-chat button beyond the tickets' own (``staff:<verb>:<number>``).

    Called with the linked agent who pressed it; returns what the staff chat is told.
    Must check the agent's role itself and must not raise for a stale number."""

    async def press(
        self, message: Message, agent: AgentRecord, number: int, now: datetime
    ) -> list[Action]: ...


def resolution_reply(ticket: TicketRow, texts: Texts) -> Reply:
    """What the user is told when their ticket is resolved: the rating buttons."""
    scores = tuple(Button(label=str(n), data=f"rate:{ticket.id}:{n}") for n in range(1, 6))
    return Reply(
        chat_id=ticket.chat_id,
        buttons=(scores,),
        text=texts.get("tickets.resolved", ticket.language, number=ticket.id),
    )


class StaffDesk:
    """Turns presses and replies in a staff chat into ticket actions.

    What it sends a user (an agent's answer, the rating after a resolution) is built
    by ``outbox`` and committed with the ticket's change."""

    def __init__(
        self,
        tickets: TicketStore,
        texts: Texts,
        outbox: Outbox,
        presses: Mapping[str, Press] | None = None,
    ) -> None:
        self.views = TicketViews(tickets.store)
        self.agents = AgentAdmin(tickets.store)
        self.sent = SentActions(tickets.store)
        self.texts = texts
        self.outbox = outbox
        self.presses = dict(presses or {})  # other verbs: "incident" (open one from a surge)
        # claims, answers and resolutions here are audited like the API's
        self.desk = AuditedDesk(tickets.store, via=VIA_STAFF_CHAT)

    def __repr__(self) -> str:
        return "StaffDesk(claim, reply, resolve)"

    @staticmethod
    def serves(channel: str) -> bool:
        """Whether a staff chat on ``channel`` is a desk (gets buttons, is listened to);
        elsewhere a staff chat only receives alerts. A desk is where agents can link an
        account (the registry's ``agent_account``)."""
        return channel in registry.names(lambda spec: spec.agent_account is not None)

    async def handle(self, message: Message, now: datetime) -> list[Action]:
        """The staff chat's answer to one message; ``[]`` for ordinary staff chatter.

        A relayed reply or a resolution is enqueued to the user by the ticket store in
        the same transaction as the ticket's change; the returned actions are what the
        staff chat is told."""
        if message.callback and message.callback.startswith(STAFF_CALLBACK):
            verb, _, number = message.callback[len(STAFF_CALLBACK) :].partition(":")
            if number.isdigit() and verb in self.presses:
                agent = await self._agent(message)
                if agent is None:
                    return [self._not_linked(message)]
                return await self.presses[verb].press(message, agent, int(number), now)
            if not number.isdigit() or verb not in ("claim", "resolve"):
                return []
            return await self._press(message, verb, int(number), now)
        if message.reply_to and message.text.strip():
            ticket_id = await self._ticket_of(message)
            if ticket_id is not None:
                return await self._relay(message, ticket_id, now)
        return []

    async def _ticket_of(self, message: Message) -> int | None:
        """The ticket of the bot's message that was replied to, read off its buttons."""
        assert message.reply_to is not None
        buttons = await self.sent.button_data(
            message.channel, message.chat_id, message.reply_to.split(":")[0]
        )
        for data in buttons:
            if data.startswith(STAFF_CALLBACK) and data.rsplit(":", 1)[-1].isdigit():
                return int(data.rsplit(":", 1)[-1])
        return None

    async def _agent(self, message: Message) -> AgentRecord | None:
        return await self.agents.by_account(message.channel, message.sender_id)

    def _not_linked(self, message: Message) -> Reply:
        return self._say(
            message,
            "tickets.staff_not_linked",
            user_id=message.sender_id,
            channel=message.channel,
            platform=message.channel.capitalize(),
        )

    def _say(self, message: Message, key: str, buttons: tuple[Button, ...] = (), **v: Any) -> Reply:
        return Reply(
            chat_id=message.chat_id,
            text=self.texts.get(key, "en", **v),
            reply_to=message.reply_to if message.callback else message.platform_message_id,
            thread_id=message.thread_id,
            buttons=(buttons,) if buttons else (),
        )

    async def _press(
        self, message: Message, verb: str, ticket_id: int, now: datetime
    ) -> list[Action]:
        agent = await self._agent(message)
        if agent is None:
            return [self._not_linked(message)]
        if not agent.works_tickets:
            return [self._say(message, "tickets.staff_manager")]
        if verb == "claim":
            if not (await self.desk.claim(ticket_id, agent, now))[0]:
                return [self._say(message, "tickets.staff_taken", number=ticket_id)]
            return [self._claimed(message, ticket_id, agent)]
        ticket = await self._owned(message, ticket_id, agent)
        if isinstance(ticket, Reply):
            return [ticket]
        rows = self.outbox.rows(
            [resolution_reply(ticket, self.texts)], ticket.channel, ticket.conversation_id
        )
        if not await self.desk.set_status(ticket_id, agent, "resolved", rows, now):
            return [self._say(message, "tickets.staff_closed", number=ticket_id)]
        return [self._say(message, "tickets.staff_resolved", number=ticket_id, agent=agent.name)]

    def _claimed(self, message: Message, ticket_id: int, agent: AgentRecord) -> Reply:
        resolve = Button(
            label=self.texts.get("tickets.staff_resolve", "en"),
            data=f"{STAFF_CALLBACK}resolve:{ticket_id}",
        )
        return self._say(
            message, "tickets.staff_claimed", (resolve,), number=ticket_id, agent=agent.name
        )

    async def _owned(
        self, message: Message, ticket_id: int, agent: AgentRecord
    ) -> TicketView | Reply:
        """The ticket if ``agent`` may act on it, else what the staff chat is told."""
        ticket = await self.views.get(ticket_id)
        if ticket is None:
            return self._say(message, "tickets.staff_taken", number=ticket_id)
        if ticket.status == "resolved":
            return self._say(message, "tickets.staff_closed", number=ticket_id)
        mine = ticket.assignee_id == agent.id
        if agent.role == "agent" and not mine:
            owner = ticket.assignee or "nobody"
            return self._say(message, "tickets.staff_not_yours", number=ticket_id, agent=owner)
        return ticket

    async def _relay(self, message: Message, ticket_id: int, now: datetime) -> list[Action]:
        agent = await self._agent(message)
        if agent is None:
            return [self._not_linked(message)]
        if not agent.works_tickets:
            return [self._say(message, "tickets.staff_manager")]
        said: list[Action] = []
        if (await self.desk.claim(ticket_id, agent, now))[0]:  # replying takes it
            said.append(self._claimed(message, ticket_id, agent))
        ticket = await self._owned(message, ticket_id, agent)
        if isinstance(ticket, Reply):
            return [ticket]
        reply = Reply(chat_id=ticket.chat_id, text=message.text.strip())
        rows = self.outbox.rows(
            [reply], ticket.channel, ticket.conversation_id, sender=f"agent:{agent.name}"
        )
        if not await self.desk.reply(ticket_id, agent, rows, now):
            return [self._say(message, "tickets.staff_closed", number=ticket_id)]
        return said
