"""Tickets whose category decides the support line, with ambiguous text (a learnable, noisy task).

Shared by the tests of the auto promise: a category is right 80-90% of the time, so a support
line that inherits it cannot honestly be 100% sure.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from triage.schema import Channel, Priority, Status, SupportLine, Ticket

CATEGORIES: dict[str, tuple[list[str], SupportLine, float]] = {
    # name: (keywords, the only support line it goes to, share of tickets)
    "Network": (["vpn", "wifi", "router", "dns", "switch", "firewall"], SupportLine.SECOND, 0.3),
    "Hardware": (["laptop", "screen", "keyboard", "mouse", "dock", "fan"], SupportLine.FIRST, 0.3),
    "Access": (["password", "account", "login", "locked", "token", "mfa"], SupportLine.FIRST, 0.25),
    "Database": (["sql", "database", "query", "table", "index", "row"], SupportLine.THIRD, 0.135),
    "Telephony": (["phone", "headset", "voicemail", "call", "sim"], SupportLine.SECOND, 0.015),
}
URGENT = ["everyone", "outage", "production", "down", "urgent", "asap"]
CALM = ["when", "possible", "question", "minor", "sometime", "later"]
FILLER = ["please", "help", "hello", "thanks", "issue", "since", "today", "my", "the", "with"]
OWN_WORD = 0.7
"""Chance that a topic word comes from the ticket's own category (else from another one)."""


def _words(category: str, rng: random.Random) -> list[str]:
    others = [c for c in CATEGORIES if c != category]
    out = []
    for _ in range(3):
        source = category if rng.random() < OWN_WORD else rng.choice(others)
        out.append(rng.choice(CATEGORIES[source][0]))
    return out


def promise_ticket(i: int, rng: random.Random, start: datetime) -> Ticket:
    names = list(CATEGORIES)
    category = rng.choices(names, weights=[CATEGORIES[c][2] for c in names])[0]
    urgent = rng.random() < 0.35
    cue = URGENT if (rng.random() < 0.8) == urgent else CALM
    picked = [*_words(category, rng), rng.choice(cue), *rng.sample(FILLER, 3)]
    rng.shuffle(picked)
    return Ticket(
        ticket_id=f"P{i:05d}",
        subject=" ".join(picked[:3]),
        body=" ".join(picked[3:]),
        created_at=start + timedelta(minutes=30 * i),
        channel=rng.choice([Channel.EMAIL, Channel.PORTAL]),
        language="en",
        category=category,
        priority=Priority.P1 if urgent else Priority.P4,
        support_line=CATEGORIES[category][1],
        status=Status.RESOLVED,
        solution=f"fixed {category.lower()} {i}",
    )


def promise_tickets(n: int = 3000, seed: int = 0) -> list[Ticket]:
    """n tickets, half an hour apart from 2025-01-01 UTC (time split: latest 20% is the test)."""
    rng = random.Random(seed)
    start = datetime(2025, 1, 1, tzinfo=UTC)
    return [promise_ticket(i, rng, start) for i in range(n)]
