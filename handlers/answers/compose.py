"""Turning an entry and the question's aspects into the sentences a user reads.

Entry fields come from the knowledge base in the user's language, or in English with a
note saying so; the surrounding sentences come from ``answers.<lang>.toml``. Dates are
shown with their zone and, where it helps, relative to ``ctx.now``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from channels.base import Button
from handlers.answers.knowledge import Entry
from handlers.answers.resolve import Resolution
from handlers.answers.schema import Activity, Airdrop, Faq
from handlers.answers.status import activity_phase, airdrop_phase, relative, show_time
from handlers.context import Context

ENTRY_CALLBACK = "answers:"
TICKET_CALLBACK = "ticket:"


@dataclass(slots=True)
class Composed:
    """Reply paragraphs and buttons; ``english`` is set when a field fell back."""

    ctx: Context
    zone: ZoneInfo
    paragraphs: list[str] = field(default_factory=list)
    buttons: list[Button] = field(default_factory=list)
    english: bool = False

    def local(self, texts: dict[str, str] | None, *, note: bool = True) -> str:
        """An entry field in the reply language, or English (and remember to say so,
        unless it is a name: a name in English needs no apology)."""
        if not texts:
            return ""
        if self.ctx.language in texts:
            return texts[self.ctx.language]
        self.english = self.english or note
        return texts["en"]

    def line(self, key: str, **values: str) -> None:
        self.paragraphs.append(self.ctx.t(f"answers.{key}", **values))

    def labelled(self, label: str, value: str) -> None:
        if value:
            self.paragraphs.append(f"{self.ctx.t(f'answers.label.{label}')}: {value}")

    def when(self, moment_name: str, moment: datetime) -> dict[str, str]:
        """``{name: absolute time, name_rel: relative time}`` for a sentence's fields."""
        lang = self.ctx.language
        return {
            moment_name: show_time(moment, self.zone, lang),
            f"{moment_name}_rel": relative(moment, self.ctx.now, lang),
        }

    def offer_ticket(self, category: str, ref: str) -> None:
        """A button that opens a ticket; its data says the category and the entry
        (``ticket:airdrop:airdrop:abc-launch``), cut to 64 bytes: the smallest limit
        on a button's data among the channels."""
        self.line("ticket_offer")
        data = f"{TICKET_CALLBACK}{category}:{ref}".encode()[:64].decode(errors="ignore")
        self.buttons.append(Button(label=self.ctx.t("answers.ticket_button"), data=data))

    def text(self) -> str:
        parts = list(self.paragraphs)
        if self.english:
            parts.append(self.ctx.t("answers.english_note"))
        return "\n\n".join(p for p in parts if p)


def entry_label(entry: Entry, language: str) -> str:
    """A button label for an entry: its name, or an FAQ's first phrasing."""
    if isinstance(entry, Faq):
        questions = (
            entry.questions.get(language)
            or entry.questions.get("en")
            or next(q for q in entry.questions.values() if q)
        )
        return questions[0]
    return entry.name.get(language, entry.name["en"])


def compose(entry: Entry, resolution: Resolution, ctx: Context, zone: ZoneInfo) -> Composed:
    out = Composed(ctx, zone)
    if isinstance(entry, Activity):
        _activity(out, entry, resolution)
    elif isinstance(entry, Airdrop):
        _airdrop(out, entry, resolution)
    else:
        out.paragraphs.append(out.local(entry.answer))
        if entry.offer_ticket or resolution.personal:
            out.offer_ticket(entry.category, f"faq:{entry.id}")
    return out


def _activity(out: Composed, a: Activity, r: Resolution) -> None:
    phase = activity_phase(a, out.ctx.now)
    name = out.local(a.name, note=False)
    out.line(
        f"activity.{phase}",
        name=name,
        **out.when("start", a.starts_at),
        **out.when("end", a.ends_at),
    )
    aspects = r.aspects
    everything = not aspects & {"eligibility", "how", "reward", "status"}
    if phase != "ended":
        if everything or "reward" in aspects:
            out.labelled("reward", out.local(a.reward))
        if everything or "how" in aspects:
            out.labelled("how_to_join", out.local(a.how_to_join))
    if everything or "eligibility" in aspects or r.personal:
        out.labelled("eligibility", out.local(a.eligibility))
        if a.regions_excluded:
            out.labelled("regions_excluded", ", ".join(a.regions_excluded))
    if a.url:
        out.labelled("link", a.url)
    if r.personal:
        out.line("personal")
        out.offer_ticket("activity", f"activity:{a.id}")


def _airdrop(out: Composed, a: Airdrop, r: Resolution) -> None:
    phase = airdrop_phase(a, out.ctx.now)
    name = out.local(a.name, note=False)
    out.line(
        f"airdrop.{phase}",
        name=name,
        token=a.token,
        **out.when("snapshot", a.snapshot_at),
        **out.when("distribution", a.distribution_at),
    )
    if a.status_note:
        out.line("airdrop.note", note=out.local(a.status_note))
    aspects = r.aspects
    everything = not aspects & {"eligibility", "how", "status", "contract", "not_received"}
    if phase != "cancelled":
        if everything or "eligibility" in aspects or r.personal:
            out.labelled("eligibility", out.local(a.eligibility))
        if everything or "how" in aspects or "not_received" in aspects:
            out.labelled("how_to_claim", out.local(a.how_to_claim))
    if a.official_contract and (everything or "contract" in aspects):
        out.labelled("contract", a.official_contract)
    if r.personal or ("not_received" in aspects and phase in ("distributed", "due")):
        out.line("personal")
        out.offer_ticket("airdrop", f"airdrop:{a.id}")
