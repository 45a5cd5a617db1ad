"""The guard: the first stage, which reads every message (addressed or not, edited too).

It warns a user who posted a wallet secret and, in a group, removes the message so
nobody else can read it. It never stops the chain in a private chat: a user in danger
must still get help with what they asked.
"""

from __future__ import annotations

from channels.base import Action, AlertStaff, Delete, Message, Reply
from handlers.context import PASS, Context, Handled, Pass
from handlers.secrets import KIND_KEY, KIND_SEED, find_secrets


class GuardStage:
    """Scam and safety checks that run before anything is answered."""

    def __repr__(self) -> str:
        return "GuardStage()"

    async def handle(self, message: Message, ctx: Context) -> Handled | Pass:
        kinds = {s.kind for s in find_secrets(message.text)} & {KIND_SEED, KIND_KEY}
        if not kinds:
            return PASS
        kind = KIND_SEED if KIND_SEED in kinds else KIND_KEY
        ctx.scam.raise_to("suspicious", f"secret_{kind}", kind=kind)
        warning = ctx.t(f"guard.secret_{kind}", brand=ctx.brand.name)
        actions: list[Action] = []
        public = message.chat_kind.is_public
        if public and (ctx.capabilities is None or ctx.capabilities.delete):
            actions.append(Delete(chat_id=message.chat_id, message_id=message.platform_message_id))
            actions.append(
                AlertStaff(
                    text=ctx.texts.get("guard.secret_removed", "en"),
                    evidence=(
                        ("channel", message.channel),
                        ("chat", message.chat_id),
                        ("user", message.sender_id),
                        ("kind", kind),
                    ),
                )
            )
        actions.append(
            Reply(
                chat_id=message.chat_id,
                text=warning,
                reply_to=None if public else message.platform_message_id,
                thread_id=message.thread_id,
            )
        )
        # In public the warning is the whole answer: the message itself is gone.
        return Handled(intent="secret_warning", actions=actions, final=public)
