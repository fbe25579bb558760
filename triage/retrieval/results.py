"""What the index stores per document, and its hits as the results agents see."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from triage.prediction import KBSuggestion, NeighbourVote, Relevance, SimilarTicket
from triage.privacy.hashing import is_pseudonym
from triage.retrieval.index import Hit
from triage.schema import KBArticle, Ticket

SNIPPET_CHARS = 240


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def ticket_metadata(ticket: Ticket) -> dict[str, Any]:
    """What the index stores for a solved ticket (JSON values). The requester only as its keyed
    pseudonym (so an erasure finds the person's tickets; never shown), never a raw identity."""
    return {
        "requester": ticket.requester if is_pseudonym(ticket.requester) else None,
        "subject": ticket.subject or ticket.body[:120],
        "solution": ticket.solution,
        "category": ticket.category,
        "priority": ticket.priority.value if ticket.priority else None,
        "support_line": int(ticket.support_line) if ticket.support_line else None,
        "language": ticket.language,
        "created_at": _iso(ticket.created_at),
        "resolved_at": _iso(ticket.resolved_at),
        "kb_article_id": ticket.kb_article_id,
        "solved": ticket.is_solved,
    }


def article_metadata(article: KBArticle) -> dict[str, Any]:
    """What the index stores for a KB article."""
    return {
        "title": article.title,
        "snippet": article.body[:SNIPPET_CHARS],
        "body": article.body,  # the whole article an agent opens (`Retriever.article`)
        "category": article.category,
        "language": article.language,
        "updated_at": _iso(article.updated_at),
    }


def is_indexable(ticket: Ticket) -> bool:
    """Only solved tickets with a written solution are suggested to agents."""
    return ticket.is_solved and bool(ticket.solution and ticket.solution.strip())


@dataclass(frozen=True, slots=True)
class TicketMatches:
    """What retrieval found for one new ticket."""

    similar: list[SimilarTicket]
    votes: list[NeighbourVote]
    kb: list[KBSuggestion]


def relevance_of(score: float, strong: float) -> Relevance:
    """ "strong" at or above the strong cut-off, else "weak"."""
    return "strong" if score >= strong else "weak"


def kb_suggestion(hit: Hit, relevance: Relevance) -> KBSuggestion:
    """An article hit as shown, marked "strong" or "weak"."""
    meta = hit.metadata
    return KBSuggestion(hit.id, meta["title"], round(hit.score, 4), meta["snippet"], relevance)


def similar_ticket(hit: Hit, relevance: Relevance) -> SimilarTicket:
    """A solved-ticket hit as shown, marked "strong" or "weak"."""
    meta = hit.metadata
    resolved = meta.get("resolved_at")
    return SimilarTicket(
        ticket_id=hit.id,
        similarity=round(hit.score, 4),
        subject=meta.get("subject") or "",
        solution=meta.get("solution"),
        category=meta.get("category"),
        support_line=meta.get("support_line"),
        resolved_at=datetime.fromisoformat(resolved) if resolved else None,
        relevance=relevance,
    )


def neighbour_votes(hits: Sequence[Hit], targets: Sequence[str]) -> list[NeighbourVote]:
    """Per target, the most common label among `hits` (first seen wins a tie)."""
    votes = []
    for target in targets:
        labels = Counter(
            str(h.metadata[target]) for h in hits if h.metadata.get(target) is not None
        )
        if labels:
            label, count = labels.most_common(1)[0]
            votes.append(NeighbourVote(target, label, count, len(hits)))
    return votes
