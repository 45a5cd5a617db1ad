"""A report as the JSON the CLI (``socialdesk report --json``) and ``GET /api/reports``
print: one function, so both say exactly the same thing."""

from __future__ import annotations

from typing import Any

from storage.report_figures import AgentFigures, Counts, Durations, LowRatingComment, Report


def report_json(report: Report) -> dict[str, Any]:
    """The report's figures under the documented keys (README, "Reports")."""
    return {
        "since": report.since.isoformat(),
        "until": report.until.isoformat(),
        "first_response_seconds": _durations(report.first_response),
        "resolution_seconds": _durations(report.resolution),
        "csat": {
            "average": report.csat.average,
            "count": report.csat.count,
            "distribution": report.csat.distribution,
        },
        "conversations": {
            "total": report.conversations,
            "without_ticket": report.conversations_without_ticket,
        },
        "bot_resolved_share": report.bot_resolved_share,
        "volume": {"messages": _counts(report.messages), "tickets": _counts(report.tickets)},
        "agents": [_agent(a) for a in report.agents],
        "incidents": {"opened": report.incidents_opened, "resolved": report.incidents_resolved},
        "low_rating_comments": [_comment(c) for c in report.low_rating_comments],
    }


def _durations(figures: Durations) -> dict[str, Any]:
    return {"p50": figures.p50, "p90": figures.p90, "count": figures.count}


def _counts(counts: Counts) -> dict[str, Any]:
    return {"total": counts.total, **{f"by_{k}": v for k, v in counts.by.items()}}


def _agent(agent: AgentFigures) -> dict[str, Any]:
    return {
        "name": agent.name,
        "tickets": agent.tickets,
        "resolved": agent.resolved,
        "first_response_p50": agent.first_response_p50,
        "resolution_p50": agent.resolution_p50,
        "csat_average": agent.csat_average,
        "csat_count": agent.csat_count,
    }


def _comment(comment: LowRatingComment) -> dict[str, Any]:
    return {
        "ticket": comment.ticket_id,
        "rating": comment.rating,
        "comment": comment.comment,
        "at": comment.at.isoformat(),
        "agent": comment.agent,
        "channel": comment.channel,
        "language": comment.language,
    }
