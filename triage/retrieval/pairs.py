"""Known-related pairs any export has, for calibrating an index on its own data at build time."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from triage.embeddings import Embedder
from triage.schema import KBArticle, Ticket

MIN_PART_CHARS = 20
"""A subject (title) or body shorter than this says too little to stand for the document."""
QUERIES = 200
"""Queries per source of known pairs (a fixed-seed sample)."""


@dataclass(frozen=True, slots=True)
class StandIn:
    """The match of a pseudo-query as another text: a ticket's body without the subject that is
    the query (the indexed text holds both, which would make finding it trivial)."""

    item_id: str
    text: str
    vector: NDArray[np.float32]


@dataclass(frozen=True, slots=True)
class KnownPairs:
    """Queries whose matches in one collection are known, from one source.

    Query i is `texts[i]` with `vectors[i]` (shape (n, dim) in all); its matches are the ids in
    `relevant[i]`; `own[i]` (the query's own id when it is indexed) never counts as a result;
    `stand_ins[i]`, when set, replaces the match's indexed text and vector for this query.
    """

    source: str
    texts: list[str]
    vectors: NDArray[np.float32]
    relevant: list[frozenset[str]]
    own: list[str | None]
    stand_ins: list[StandIn | None]

    def __len__(self) -> int:
        return len(self.texts)


def _sample(rows: list[int], limit: int, seed: int = 0) -> list[int]:
    """Up to `limit` of `rows`, drawn with a fixed seed (the same index gives the same sample)."""
    picked = np.random.default_rng(seed).permutation(len(rows))[:limit]
    return [rows[i] for i in sorted(picked.tolist())]


def head_body_pairs(
    source: str,
    items: Sequence[tuple[str, str, str]],
    embedder: Embedder,
    limit: int,
) -> KnownPairs | None:
    """Each item (id, head, body): its head (subject or title) as the query, the item itself,
    represented by its body alone, as the match (the inverse cloze task). None when fewer than
    10 items have a head and a body of `MIN_PART_CHARS`; embeds 2 x `limit` texts at most."""
    usable = [
        i
        for i, (_, head, body) in enumerate(items)
        if len(head.strip()) >= MIN_PART_CHARS // 2 and len(body.strip()) >= MIN_PART_CHARS
    ]
    if len(usable) < 10:
        return None
    rows = _sample(usable, limit)
    heads = [items[r][1].strip() for r in rows]
    bodies = [items[r][2].strip() for r in rows]
    vectors = embedder.encode([*heads, *bodies])
    ids = [items[r][0] for r in rows]
    return KnownPairs(
        source,
        heads,
        vectors[: len(rows)],
        [frozenset({i}) for i in ids],
        [None] * len(rows),
        [StandIn(i, b, v) for i, b, v in zip(ids, bodies, vectors[len(rows) :], strict=True)],
    )


def ticket_heads(tickets: Sequence[Ticket]) -> list[tuple[str, str, str]]:
    """(id, subject, body) of each ticket, for `head_body_pairs`."""
    return [(t.ticket_id, t.subject, t.body) for t in tickets]


def article_heads(articles: Sequence[KBArticle]) -> list[tuple[str, str, str]]:
    """(id, title, body) of each article, for `head_body_pairs`."""
    return [(a.article_id, a.title, a.body) for a in articles]


def linked_pairs(
    source: str,
    tickets: Sequence[Ticket],
    vectors: NDArray[np.float32],
    matches: Callable[[Ticket], frozenset[str]],
    own: Callable[[Ticket], str | None],
    limit: int,
) -> KnownPairs | None:
    """Whole tickets as queries (vectors: (len(tickets), dim), row per ticket) whose matches
    `matches(ticket)` gives (e.g. the other tickets solved by the same KB article); None when
    fewer than 10 tickets have a match."""
    usable = [i for i, t in enumerate(tickets) if matches(t)]
    if len(usable) < 10:
        return None
    rows = _sample(usable, limit)
    chosen = [tickets[r] for r in rows]
    return KnownPairs(
        source,
        [t.text for t in chosen],
        np.asarray(vectors[rows], dtype=np.float32),
        [matches(t) for t in chosen],
        [own(t) for t in chosen],
        [None] * len(rows),
    )


def same_article_peers(tickets: Sequence[Ticket]) -> Callable[[Ticket], frozenset[str]]:
    """For a ticket, the other tickets linked to its KB article."""
    peers: dict[str, set[str]] = {}
    for t in tickets:
        if t.kb_article_id:
            peers.setdefault(t.kb_article_id, set()).add(t.ticket_id)
    return lambda t: frozenset(peers.get(t.kb_article_id or "", set()) - {t.ticket_id})


def supplied_matches(
    pairs: Sequence[tuple[str, str]], indexed: Callable[[str], bool]
) -> Mapping[str, frozenset[str]]:
    """Query ticket id -> the ids it is known to relate to (near-duplicates flagged at import,
    agents' "this solved it"), keeping only related ids that `indexed` accepts."""
    out: dict[str, set[str]] = {}
    for query, related in pairs:
        if query != related and indexed(related):
            out.setdefault(query, set()).add(related)
    return {q: frozenset(r) for q, r in out.items()}


@dataclass(frozen=True, slots=True)
class BuildData:
    """What an index is built from: tickets (every one may start a known pair) with their
    vectors (shape (len(tickets), dim)), the articles, and (ticket id, related id) pairs."""

    tickets: Sequence[Ticket]
    vectors: NDArray[np.float32]
    articles: Sequence[KBArticle]
    related: Sequence[tuple[str, str]] = field(default=())


def known_pairs(
    data: BuildData,
    in_tickets: Callable[[str], bool],
    in_articles: Callable[[str], bool],
    embedder: Embedder,
    *,
    stand_ins: bool,
) -> dict[str, list[KnownPairs]]:
    """Every source of known pairs the data has, for the "tickets" and the "kb" collection:
    subject -> own body and title -> own body (when `stand_ins`), tickets linked by the same KB
    article, a ticket and its article, and the supplied `related` pairs. A source with fewer
    than 10 queries is left out."""
    rows = [i for i, t in enumerate(data.tickets) if in_tickets(t.ticket_id)]
    solved, vectors = [data.tickets[i] for i in rows], data.vectors[rows]
    found: dict[str, list[KnownPairs | None]] = {
        "tickets": [
            linked_pairs(
                "same KB article", solved, vectors, same_article_peers(solved), _own, QUERIES
            )
        ],
        "kb": [
            linked_pairs(
                "ticket -> its KB article", solved, vectors, _article(in_articles), _own, QUERIES
            )
        ],
    }
    if stand_ins:
        found["tickets"].append(
            head_body_pairs("subject -> own body", ticket_heads(solved), embedder, QUERIES)
        )
        found["kb"].append(
            head_body_pairs("title -> own body", article_heads(data.articles), embedder, QUERIES)
        )
    for name, indexed in (("tickets", in_tickets), ("kb", in_articles)):
        known = supplied_matches(data.related, indexed)
        found[name].append(
            linked_pairs(
                "supplied pairs", data.tickets, data.vectors, _lookup(known), _own, QUERIES
            )
        )
    return {name: [p for p in sets if p is not None] for name, sets in found.items()}


def _own(ticket: Ticket) -> str | None:
    return ticket.ticket_id


def _article(indexed: Callable[[str], bool]) -> Callable[[Ticket], frozenset[str]]:
    """For a ticket, its KB article when that article is indexed."""
    return lambda t: (
        frozenset({t.kb_article_id})
        if t.kb_article_id and indexed(t.kb_article_id)
        else frozenset()
    )


def _lookup(known: Mapping[str, frozenset[str]]) -> Callable[[Ticket], frozenset[str]]:
    """For a ticket, the ids `known` relates it to."""
    return lambda t: known.get(t.ticket_id, frozenset())
