"""Generate the sample helpdesk history: tickets and KB articles, deterministic per seed."""

from __future__ import annotations

import logging
import math
import random
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np

from triage.dataset import ARTICLES_FILE, TICKETS_FILE, write_articles, write_tickets
from triage.errors import ConfigError
from triage.sample.compose import PORTAL_LABELS, Person, TextSpec, compose, frames, problem
from triage.sample.entities import DEPARTMENTS, SLOTS, Slots, email_of, person_name, phone_number
from triage.sample.kb import KnowledgeBase, build_kb
from triage.sample.taxonomy import (
    CATEGORIES,
    CONFUSABLE,
    Category,
    Subcategory,
    all_subcategories,
    assignment_group,
)
from triage.sample.timeline import (
    EXPORT_AT,
    is_office_hours,
    next_office_time,
    sample_times,
    to_utc,
)
from triage.schema import (
    Channel,
    KBArticle,
    Level,
    Priority,
    Status,
    SupportLine,
    Ticket,
    priority_from,
)

logger = logging.getLogger(__name__)

MAX_TICKETS = 2_000_000
NL_SHARE = 0.6
BURST_SHARE = 0.07
"""Share of tickets that belong to an incident burst (an outage: many users, one symptom)."""
CATEGORY_NOISE, PRIORITY_NOISE, LINE_NOISE = 0.03, 0.04, 0.03
"""Label noise: share of tickets whose category / priority / support line an agent set wrongly."""
VAGUE, FORWARDED, TYPOS, MIXED, CANCELLED = 0.05, 0.07, 0.18, 0.07, 0.015
SHORT, REWORDED, TELEGRAPH, TWO_PROBLEMS = 0.08, 0.35, 0.12, 0.05
"""Shares of one-liners, tickets in the user's own words, in telegraph style, with a second
unrelated problem tacked on (`triage.sample.noise`)."""
WIDE_ESCALATION = 0.8
"""Share of line-1 tickets with an outage's impact that the desk hands to line 2."""
KB_LINK = 0.6
_SWITCH = 0.08
"""Share of tickets a person writes in their other language."""
CSAT_RESPONSE = 0.3

_CHANNELS = (Channel.EMAIL, Channel.PORTAL, Channel.PHONE, Channel.CHAT, Channel.WALK_IN)
_CHANNEL_P = (0.36, 0.26, 0.22, 0.12, 0.04)
_LIVE = frozenset({Channel.PHONE, Channel.CHAT, Channel.WALK_IN})
_LEVELS = (Level.HIGH, Level.MEDIUM, Level.LOW)
_PRIORITIES = (Priority.P1, Priority.P2, Priority.P3, Priority.P4)
_RESPONSE_MIN = {Priority.P1: 8, Priority.P2: 25, Priority.P3: 90, Priority.P4: 240}
_LINE_HOURS = {1: 2.0, 2: 20.0, 3: 100.0}
_WAITING = {1: 0.04, 2: 0.08, 3: 0.25}
"""Share per support line that waits days for a vendor, a part or the user (on hold)."""
_PRIORITY_FACTOR = {Priority.P1: 0.12, Priority.P2: 0.4, Priority.P3: 1.0, Priority.P4: 1.5}
_SPENT_MIN = {1: 12.0, 2: 45.0, 3: 150.0}


@dataclass(frozen=True, slots=True)
class SampleData:
    """A generated helpdesk history: tickets sorted by `created_at`, and KB articles."""

    tickets: list[Ticket]
    articles: list[KBArticle]
    seed: int
    outages: dict[str, int] = field(default_factory=dict)
    """Ground truth for incident detection: ticket id -> number of the planted outage it is in."""

    def summary(self) -> dict[str, Any]:
        """Counts for a CLI summary: tickets, articles, shares per language, channel, status."""
        n = max(len(self.tickets), 1)

        def share(field: str) -> dict[str, float]:
            counts = Counter(str(getattr(t, field)) for t in self.tickets)
            return {k: round(v / n, 3) for k, v in sorted(counts.items())}

        return {
            "tickets": len(self.tickets),
            "articles": len(self.articles),
            "seed": self.seed,
            "categories": len({t.category for t in self.tickets}),
            "language": share("language"),
            "channel": share("channel"),
            "priority": share("priority"),
            "support_line": share("support_line"),
            "status": share("status"),
        }


@dataclass(frozen=True, slots=True)
class _Burst:
    sub: int
    fixed_at: datetime
    slots: tuple[tuple[str, str], ...]


@dataclass(frozen=True, slots=True)
class _Draft:
    local: datetime
    sub: int
    channel: Channel
    person: int
    burst: _Burst | None


@dataclass(frozen=True, slots=True)
class _Labels:
    impact: Level
    urgency: Level
    priority: Priority
    line: int
    escalated: bool
    wide: bool = False
    """Escalated because many are affected (an outage of a line-1 service): the impact says why."""


class _Context:
    """What every ticket draws on: taxonomy, people, the KB and the text random stream."""

    def __init__(self, seed: int, n_tickets: int) -> None:
        self.rng = np.random.default_rng(seed)
        self.rnd = random.Random(seed)
        self.subs = all_subcategories()
        self.kb: KnowledgeBase = build_kb(random.Random(seed + 1))
        self.people, self.person_p = _people(self.rnd, self.rng, max(400, n_tickets // 10))


def generate(
    n_tickets: int, seed: int = 42, progress: Callable[[int], None] | None = None
) -> SampleData:
    """A realistic helpdesk history of `n_tickets` tickets over one year, plus its KB.

    Same seed gives the same data. `progress(k)` is called as tickets are written (k at a time).
    Raises `ConfigError` for a ticket count outside 1..2,000,000.
    """
    if not 1 <= n_tickets <= MAX_TICKETS:
        raise ConfigError(f"--tickets {n_tickets}: choose a number between 1 and {MAX_TICKETS:,}")
    ctx = _Context(seed, n_tickets)
    drafts = sorted(_drafts(ctx, n_tickets), key=lambda d: (d.local, d.sub, d.person))
    tickets: list[Ticket] = []
    seq: Counter[int] = Counter()
    outages: dict[str, int] = {}
    burst_numbers: dict[int, int] = {}
    for i, draft in enumerate(drafts):
        seq[draft.local.year] += 1
        ticket_id = f"INC-{draft.local.year}-{seq[draft.local.year]:06d}"
        tickets.append(_ticket(ctx, draft, ticket_id))
        if draft.burst is not None:
            outages[ticket_id] = burst_numbers.setdefault(id(draft.burst), len(burst_numbers))
        if progress is not None and (i + 1) % 1000 == 0:
            progress(1000)
    if progress is not None and len(drafts) % 1000:
        progress(len(drafts) % 1000)
    logger.info(
        "generated %d tickets and %d articles (seed %d)", len(tickets), len(ctx.kb.articles), seed
    )
    return SampleData(tickets=tickets, articles=ctx.kb.articles, seed=seed, outages=outages)


def write_sample(data: SampleData, out_dir: Path) -> dict[str, Path]:
    """Write `tickets.parquet` and `kb_articles.parquet` into `out_dir` (created if missing)."""
    return {
        "tickets": write_tickets(data.tickets, out_dir / TICKETS_FILE),
        "articles": write_articles(data.articles, out_dir / ARTICLES_FILE),
    }


# -- population and arrival plan ------------------------------------------------------------


def _people(
    rnd: random.Random, rng: np.random.Generator, n: int
) -> tuple[list[Person], np.ndarray]:
    activity = rng.lognormal(0.0, 0.6, n)  # a few people file many tickets
    activity /= activity.sum()
    dutch = _dutch_speakers(activity, rng)
    people = []
    for i in range(n):
        name = person_name(rnd)
        people.append(
            Person(
                name=name,
                email=email_of(name),
                dept=rnd.choice(DEPARTMENTS),
                phone=phone_number(rnd),
                language="nl" if dutch[i] else "en",
            )
        )
    return people, activity


def _dutch_speakers(activity: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Who prefers Dutch, chosen so that the expected ticket share of Dutch is `NL_SHARE`.

    Solves p * 0.92 + (1 - p) * 0.08 = NL_SHARE / 0.977 (people switch language 8% of the time,
    monitoring, about 2.3% of tickets, writes English) for p, the activity share of Dutch speakers.
    """
    target = (NL_SHARE / 0.977 - _SWITCH) / (1 - 2 * _SWITCH)
    order = rng.permutation(len(activity))
    dutch = np.zeros(len(activity), dtype=bool)
    dutch[order[np.cumsum(activity[order]) <= target]] = True
    return dutch


def _drafts(ctx: _Context, n: int) -> list[_Draft]:
    n_burst = round(n * BURST_SHARE) if n >= 200 else 0
    return _regular(ctx, n - n_burst) + _bursts(ctx, n_burst)


def _regular(ctx: _Context, n: int) -> list[_Draft]:
    rng = ctx.rng
    weights = np.array([s.weight for _, s in ctx.subs])
    subs = rng.choice(len(ctx.subs), size=n, p=weights / weights.sum())
    channels = [_CHANNELS[i] for i in rng.choice(len(_CHANNELS), size=n, p=_CHANNEL_P)]
    monitored = np.array([ctx.subs[s][1].monitored for s in subs], dtype=bool)
    alert = monitored & (rng.random(n) < 0.7)
    office = iter(sample_times(rng, int((~alert).sum())))
    clock = iter(sample_times(rng, int(alert.sum()), around_the_clock=True))
    persons = rng.choice(len(ctx.people), size=n, p=ctx.person_p)
    drafts = []
    for i in range(n):
        local = next(clock) if alert[i] else next(office)
        channel = Channel.MONITORING if alert[i] else _reachable(channels[i], local)
        drafts.append(_Draft(local, int(subs[i]), channel, int(persons[i]), None))
    return drafts


def _reachable(channel: Channel, local: datetime) -> Channel:
    """Phone, chat and the desk are staffed in office hours only; otherwise people e-mail."""
    return channel if channel not in _LIVE or is_office_hours(local) else Channel.EMAIL


def _bursts(ctx: _Context, n: int) -> list[_Draft]:
    rng, drafts = ctx.rng, list[_Draft]()
    burstable = [i for i, (_, s) in enumerate(ctx.subs) if s.burst]
    weights = np.array([ctx.subs[i][1].weight for i in burstable])
    while len(drafts) < n:
        size = min(int(rng.integers(15, 50)), n - len(drafts))
        sub = int(rng.choice(burstable, p=weights / weights.sum()))
        day = next_office_time(sample_times(rng, 1)[0]).replace(hour=8, minute=0, second=0)
        start = day + timedelta(minutes=int(rng.integers(0, 7 * 60)))  # outages hit 08:00-15:00
        fixed_at = start + timedelta(minutes=45 + float(rng.lognormal(math.log(90), 0.6)))
        burst = _Burst(sub, fixed_at, _burst_slots(rng))
        drafts += _burst_tickets(ctx, burst, start, size)
    return drafts


def _burst_slots(rng: np.random.Generator) -> tuple[tuple[str, str], ...]:
    """One outage has one broken thing: every ticket of the burst names the same one."""
    names = ("building", "host", "drive", "printer", "form", "form_en", "gp_err", "outlook_err")
    return tuple((k, SLOTS[k][int(rng.integers(len(SLOTS[k])))]) for k in names)


def _burst_tickets(ctx: _Context, burst: _Burst, start: datetime, size: int) -> list[_Draft]:
    rng = ctx.rng
    offsets = np.minimum(rng.exponential(30.0, size), 120.0)
    channels = rng.choice(4, size=size, p=(0.4, 0.3, 0.15, 0.15))
    persons = rng.choice(len(ctx.people), size=size, replace=False)
    kinds = (Channel.PHONE, Channel.EMAIL, Channel.PORTAL, Channel.CHAT)
    return [
        _Draft(start + timedelta(minutes=float(o)), burst.sub, kinds[c], int(p), burst)
        for o, c, p in zip(offsets, channels, persons, strict=True)
    ]


# -- one ticket --------------------------------------------------------------------------------


def _ticket(ctx: _Context, draft: _Draft, ticket_id: str) -> Ticket:
    rnd = ctx.rnd
    category, sub = ctx.subs[draft.sub]
    person = ctx.people[draft.person]
    language = _language(draft, person, rnd)
    labels = _labels(sub, draft.burst is not None, rnd)
    spec = _text_spec(category, sub, draft, language, labels, rnd)
    slots = Slots(rnd, dict(draft.burst.slots) if draft.burst else None)
    subject, body = compose(spec, person, rnd, slots)
    times = _times(draft, labels, rnd)
    fields = _outcome(ctx, draft, sub, language, labels, times, slots)
    noisy = _noisy_labels(category, sub, labels, rnd)
    return Ticket(
        ticket_id=ticket_id,
        subject=subject,
        body=body,
        created_at=to_utc(draft.local),
        language=language,
        channel=draft.channel,
        requester=f"{person.name} <{person.email}>",
        impact=labels.impact,
        urgency=labels.urgency,
        escalated=labels.escalated,
        **noisy,
        **fields,
    )


def _language(draft: _Draft, person: Person, rnd: random.Random) -> str:
    if draft.channel is Channel.MONITORING:
        return "en"
    if rnd.random() >= _SWITCH:
        return person.language
    return "en" if person.language == "nl" else "nl"


def _labels(sub: Subcategory, outage: bool, rnd: random.Random) -> _Labels:
    if outage:
        impact = Level.HIGH if rnd.random() < 0.7 else Level.MEDIUM
        urgency = Level.HIGH if rnd.random() < 0.6 else Level.MEDIUM
    else:
        impact = rnd.choices(_LEVELS, weights=sub.impact)[0]
        urgency = rnd.choices(_LEVELS, weights=sub.urgency)[0]
    wide = not outage and _wide(sub, impact) and rnd.random() < WIDE_ESCALATION
    escalated = wide or rnd.random() < sub.escalation or (outage and sub.line == 1)
    line = min(3, max(sub.line, 2 if outage else 1) + (1 if escalated and not outage else 0))
    return _Labels(impact, urgency, priority_from(impact, urgency), line, escalated, wide)


def _wide(sub: Subcategory, impact: Level) -> bool:
    """A line-1 problem reported with an impact that makes it an outage (labelling rules)."""
    return sub.line == 1 and _LEVELS.index(impact) <= _LEVELS.index(sub.outage_from)


def _text_spec(
    category: Category,
    sub: Subcategory,
    draft: _Draft,
    language: str,
    labels: _Labels,
    rnd: random.Random,
) -> TextSpec:
    portal = category.portal
    if rnd.random() < 0.2:  # users pick "Overig" or a wrong portal category
        portal = "Overig" if rnd.random() < 0.6 else rnd.choice(PORTAL_LABELS)
    return TextSpec(
        subcategory=sub.key,
        language=language,
        channel=draft.channel,
        portal_label=portal,
        impact=labels.impact,
        urgency=labels.urgency,
        escalated=labels.escalated and not labels.wide and draft.burst is None,
        outage=draft.burst is not None,
        vague=rnd.random() < VAGUE,
        forwarded=draft.channel is Channel.EMAIL and rnd.random() < FORWARDED,
        typos=rnd.random() < (0.4 if draft.channel is Channel.CHAT else TYPOS),
        mixed=rnd.random() < MIXED,
        local_time=draft.local,
        short=rnd.random() < SHORT,
        reworded=rnd.random() < REWORDED,
        telegraph=rnd.random() < TELEGRAPH,
        second=_second_problem(sub, rnd),
    )


def _second_problem(sub: Subcategory, rnd: random.Random) -> str | None:
    if rnd.random() >= TWO_PROBLEMS:
        return None
    return rnd.choice([s.key for _, s in all_subcategories() if s.key != sub.key])


def _noisy_labels(
    category: Category, sub: Subcategory, labels: _Labels, rnd: random.Random
) -> dict[str, Any]:
    """The labels as an agent recorded them: right most of the time, sometimes not."""
    cat, subcategory = category, sub.key
    if rnd.random() < CATEGORY_NOISE:
        key = rnd.choice(CONFUSABLE[category.key])
        cat = next(c for c in CATEGORIES if c.key == key)
        subcategory = rnd.choice(cat.subcategories).key
    priority = labels.priority
    if rnd.random() < PRIORITY_NOISE:
        priority = _shift(priority, rnd)
    line = labels.line
    if rnd.random() < LINE_NOISE:
        line = rnd.choice([x for x in (1, 2, 3) if x != line])
    return {
        "category": cat.key,
        "subcategory": subcategory,
        "priority": priority,
        "support_line": SupportLine(line),
        "assignment_group": assignment_group(cat, line),
    }


def _shift(priority: Priority, rnd: random.Random) -> Priority:
    i = _PRIORITIES.index(priority)
    step = 1 if i == 0 else -1 if i == 3 else rnd.choice((-1, 1))
    return _PRIORITIES[i + step]


# -- time line and outcome -------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Times:
    created: datetime
    first_response: datetime
    resolved: datetime
    closed: datetime
    spent: float
    fcr: bool
    reopened: int


def _times(draft: _Draft, labels: _Labels, rnd: random.Random) -> _Times:
    """UTC timestamps (created <= first response <= resolved <= closed) and minutes spent."""
    fcr = (
        labels.line == 1
        and not labels.escalated
        and draft.channel in _LIVE
        and draft.burst is None
        and rnd.random() < 0.7
    )
    first = _first_response(draft, labels.priority, rnd)
    reopened = _reopens(labels, fcr, rnd)
    resolved = _resolved(draft, labels, first, fcr, reopened, rnd)
    quick = rnd.random() < 0.3  # the user confirms; otherwise auto-close after a week
    closed = resolved + (
        timedelta(hours=rnd.uniform(0.2, 24))
        if quick
        else timedelta(days=7, hours=rnd.uniform(0, 12))
    )
    stamps = [to_utc(t) for t in (draft.local, first, resolved, closed)]
    for i in range(1, 4):  # DST switches can reorder local times; keep the order in UTC
        stamps[i] = max(stamps[i], stamps[i - 1])
    created, first_at, resolved_at, closed_at = stamps
    spent = _spent(labels, fcr, reopened, rnd)
    return _Times(created, first_at, resolved_at, closed_at, spent, fcr, reopened)


def _first_response(draft: _Draft, priority: Priority, rnd: random.Random) -> datetime:
    if draft.channel in _LIVE:
        return draft.local + timedelta(minutes=rnd.uniform(0.5, 3.0))
    start = draft.local
    if priority in (Priority.P3, Priority.P4):
        start = max(start, next_office_time(start))
    median = _RESPONSE_MIN[priority] / (3 if draft.channel is Channel.MONITORING else 1)
    return start + timedelta(minutes=rnd.lognormvariate(math.log(median), 0.7))


def _reopens(labels: _Labels, fcr: bool, rnd: random.Random) -> int:
    p = 0.04 + (0.05 if labels.line == 1 and not fcr else 0.0) + (0.04 if labels.escalated else 0.0)
    if rnd.random() >= p:
        return 0
    return 1 if rnd.random() < 0.8 else 2


def _resolved(
    draft: _Draft, labels: _Labels, first: datetime, fcr: bool, reopened: int, rnd: random.Random
) -> datetime:
    if fcr:
        return first + timedelta(minutes=rnd.uniform(4, 20))
    if draft.burst is not None:
        return max(first, draft.burst.fixed_at) + timedelta(minutes=rnd.uniform(2, 40))
    median = _LINE_HOURS[labels.line] * _PRIORITY_FACTOR[labels.priority]
    hours = rnd.lognormvariate(math.log(median), 0.9)
    hours += sum(rnd.lognormvariate(math.log(24), 0.6) for _ in range(reopened))
    if rnd.random() < _WAITING[labels.line]:
        hours += rnd.lognormvariate(math.log(7 * 24), 0.7)
    resolved = first + timedelta(hours=hours)
    if labels.priority in (Priority.P3, Priority.P4) and not is_office_hours(resolved):
        resolved = next_office_time(resolved) + timedelta(minutes=rnd.uniform(5, 180))
    return resolved


def _spent(labels: _Labels, fcr: bool, reopened: int, rnd: random.Random) -> float:
    if fcr:
        return float(round(rnd.uniform(4, 20)))
    median = _SPENT_MIN[labels.line] * (1.3 if labels.escalated else 1.0) * (1 + 0.6 * reopened)
    return float(max(1, round(rnd.lognormvariate(math.log(median), 0.6))))


def _outcome(
    ctx: _Context,
    draft: _Draft,
    sub: Subcategory,
    language: str,
    labels: _Labels,
    times: _Times,
    slots: Slots,
) -> dict[str, Any]:
    """Status, cause, solution, timestamps, CSAT and KB link as known at the export moment."""
    rnd = ctx.rnd
    if rnd.random() < CANCELLED:
        return _cancelled(times, language, rnd)
    if times.resolved > EXPORT_AT:
        return _open(times, rnd)
    cause, solution = _resolution_text(draft, sub.key, language, slots, rnd)
    return {
        "status": Status.CLOSED if times.closed <= EXPORT_AT else Status.RESOLVED,
        "cause": cause,
        "solution": solution,
        "time_spent_minutes": times.spent,
        "first_response_at": times.first_response,
        "resolved_at": times.resolved,
        "closed_at": times.closed if times.closed <= EXPORT_AT else None,
        "reopened_count": times.reopened,
        "csat": _csat(labels, times, rnd),
        "kb_article_id": _kb_link(ctx, draft, sub, language, times.fcr),
    }


def _cancelled(times: _Times, language: str, rnd: random.Random) -> dict[str, Any]:
    closed = times.first_response + timedelta(minutes=rnd.uniform(1, 120))
    return {
        "status": Status.CANCELLED,
        "solution": rnd.choice(frames(language).cancel_notes),
        "time_spent_minutes": float(round(rnd.uniform(1, 5))),
        "reopened_count": 0,
        "first_response_at": times.first_response if times.first_response <= EXPORT_AT else None,
        "closed_at": closed if closed <= EXPORT_AT else None,
    }


def _open(times: _Times, rnd: random.Random) -> dict[str, Any]:
    if times.first_response > EXPORT_AT:
        return {"status": Status.NEW, "reopened_count": 0}
    status = Status.IN_PROGRESS if rnd.random() < 0.7 else Status.ON_HOLD
    return {
        "status": status,
        "first_response_at": times.first_response,
        "reopened_count": 0,
        "time_spent_minutes": float(round(times.spent / 2)),
    }


def _resolution_text(
    draft: _Draft, sub: str, language: str, slots: Slots, rnd: random.Random
) -> tuple[str, str]:
    pb = problem(sub, language)
    if draft.burst is not None and pb.outage is not None:
        return (
            pb.outage[1].format_map(slots),
            frames(language).outage_note + pb.outage[2].format_map(slots),
        )
    return rnd.choice(pb.causes).format_map(slots), rnd.choice(pb.solutions).format_map(slots)


def _kb_link(
    ctx: _Context, draft: _Draft, sub: Subcategory, language: str, fcr: bool
) -> str | None:
    rnd = ctx.rnd
    if draft.burst is not None or not sub.kb or rnd.random() >= KB_LINK + (0.15 if fcr else 0.0):
        return None
    ids = ctx.kb.by_problem.get((sub.key, language), [])
    if not ids:
        return None
    return ids[0] if len(ids) == 1 or rnd.random() < 0.8 else rnd.choice(ids[1:])


_SLA_HOURS = {Priority.P1: 4.0, Priority.P2: 8.0, Priority.P3: 40.0, Priority.P4: 80.0}


def _csat(labels: _Labels, times: _Times, rnd: random.Random) -> int | None:
    """1..5 for the 30% who answer the survey; reopened, slow or escalated tickets score lower."""
    if rnd.random() >= CSAT_RESPONSE:
        return None
    hours = (times.resolved - times.created).total_seconds() / 3600
    slow = hours > 2 * _SLA_HOURS[labels.priority]
    score = (
        4.4
        - 1.2 * times.reopened
        - 0.9 * slow
        - 0.3 * labels.escalated
        + 0.3 * times.fcr
        + rnd.gauss(0.0, 0.7)
    )
    return min(5, max(1, round(score)))
