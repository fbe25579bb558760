"""`RetrieverLike`: what a `Triager` and the service need of a retriever (the seam tests fake)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

import numpy as np
from numpy.typing import NDArray

from triage.prediction import KBSuggestion, SimilarTicket
from triage.retrieval.results import TicketMatches
from triage.schema import TARGETS, KBArticle, Ticket


class RetrieverLike(Protocol):
    """Search and grow the solved tickets and KB articles of a bundle
    (`triage.retrieval.retriever.Retriever` is the one implementation)."""

    def search(
        self,
        texts: Sequence[str],
        vectors: NDArray[np.float32] | None = None,
        *,
        k_similar: int = 5,
        k_kb: int = 3,
        k_votes: int = 10,
        targets: Sequence[str] = TARGETS,
    ) -> list[TicketMatches]:
        """Per text (vectors (m, dim)): similar solved tickets, KB articles, neighbour votes."""
        ...

    def similar(self, text: str, k: int = 5) -> list[SimilarTicket]:
        """`search` for one text, similar tickets only."""
        ...

    def kb(self, text: str, k: int = 3) -> list[KBSuggestion]:
        """`search` for one text, KB articles only."""
        ...

    def article(self, article_id: str) -> KBArticle | None:
        """One indexed article, or None."""
        ...

    def add_ticket(self, ticket: Ticket) -> bool:
        """Index a solved ticket; False when it has no solution (any older version removed)."""
        ...

    def add_tickets(self, tickets: Sequence[Ticket]) -> int:
        """`add_ticket` for many in one embedding call; how many were indexed."""
        ...

    def remove(self, item_id: str) -> int:
        """Erase a ticket or article; how many were removed."""
        ...
