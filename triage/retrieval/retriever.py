"""`Retriever`: similar solved tickets, KB suggestions and neighbour votes for one ticket text."""

from __future__ import annotations

import json
import logging
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from triage.embeddings import Embedder
from triage.errors import BundleError, ConfigError, VectorIndexError
from triage.prediction import KBSuggestion, NeighbourVote, SimilarTicket
from triage.retrieval.collection import (
    Collection,
    RetrievalConfig,
    SearchFilter,
    fit_min_relevance,
)
from triage.retrieval.index import Hit
from triage.retrieval.store import read_folder, write_folder
from triage.schema import TARGETS, KBArticle, Ticket

logger = logging.getLogger(__name__)

FORMAT_VERSION = 1
MANIFEST = "retriever.json"
CALIBRATION_QUERIES = 300
SNIPPET_CHARS = 240


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def ticket_metadata(ticket: Ticket) -> dict[str, Any]:
    """What the index stores for a solved ticket (JSON values; no requester)."""
    return {
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


class Retriever:
    """Solved tickets and KB articles, each a hybrid (dense + BM25) collection with a threshold.

    Built once by the training pipeline (`build`), grown online (`add_ticket`, `add_article`),
    saved with the embedder's name and dimension so a mismatched embedder is refused on `load`.
    """

    def __init__(
        self,
        embedder: Embedder,
        config: RetrievalConfig,
        tickets: Collection,
        articles: Collection,
        calibration: dict[str, Any] | None = None,
    ) -> None:
        self.embedder, self.config = embedder, config
        self.tickets, self.articles = tickets, articles
        self.calibration: dict[str, Any] = calibration or {}

    # -- building -----------------------------------------------------------------------------
    @classmethod
    def build(
        cls,
        tickets: Sequence[Ticket],
        articles: Sequence[KBArticle],
        embedder: Embedder,
        config: RetrievalConfig | None = None,
        *,
        ticket_vectors: NDArray[np.float32] | None = None,
    ) -> Retriever:
        """Index the solved tickets (with a solution) and all articles, then calibrate thresholds.

        `ticket_vectors` (shape (len(tickets), dim)) reuses embeddings the caller already has.
        """
        config = config or RetrievalConfig()
        keep = [i for i, t in enumerate(tickets) if is_indexable(t)]
        solved = [tickets[i] for i in keep]
        if ticket_vectors is not None:
            vectors = _checked(ticket_vectors, len(tickets), embedder.dim)[keep]
        else:
            vectors = embedder.encode([t.text for t in solved])
        retriever = cls(
            embedder,
            config,
            Collection.empty(embedder.dim, config),
            Collection.empty(embedder.dim, config),
        )
        retriever.tickets.add(
            [t.ticket_id for t in solved],
            [t.text for t in solved],
            _checked(vectors, len(solved), embedder.dim),
            [ticket_metadata(t) for t in solved],
        )
        retriever._add_articles(list(articles))
        retriever._calibrate(solved, vectors)
        logger.info(
            "retriever built: %d solved tickets of %d, %d articles",
            len(solved),
            len(tickets),
            len(articles),
        )
        return retriever

    def _add_articles(self, articles: list[KBArticle]) -> None:
        if not articles:
            return
        self._embed_into(
            self.articles,
            [a.article_id for a in articles],
            [a.text for a in articles],
            [article_metadata(a) for a in articles],
        )

    def _embed_into(
        self, coll: Collection, ids: list[str], texts: list[str], metas: list[dict[str, Any]]
    ) -> None:
        """Embed `texts` in one call and add them to `coll`."""
        coll.add(ids, texts, self.embedder.encode(texts), metas)

    def _calibrate(self, solved: list[Ticket], vectors: NDArray[np.float32]) -> None:
        """Fit each collection's cut-off on tickets whose KB article is known (else the default).

        Tickets: two tickets solved by the same KB article are a match. KB: a ticket's own
        article is its match. Up to `CALIBRATION_QUERIES` tickets, chosen with a fixed seed.
        """
        fixed = self.config.min_relevance
        for name, coll in (("tickets", self.tickets), ("kb", self.articles)):
            coll.min_relevance = fixed if fixed is not None else self.config.default_min_relevance
            self.calibration[name] = {"threshold": coll.min_relevance, "source": "config"}
        if fixed is not None:
            return
        rows = np.random.default_rng(0).permutation(len(solved))[:CALIBRATION_QUERIES].tolist()
        queries = [solved[r] for r in rows]
        peers: dict[str, set[str]] = {}
        for t in solved:
            if t.kb_article_id:
                peers.setdefault(t.kb_article_id, set()).add(t.ticket_id)
        same_article = [peers.get(t.kb_article_id or "", set()) - {t.ticket_id} for t in queries]
        own_article = [
            {t.kb_article_id} if t.kb_article_id in self.articles else set() for t in queries
        ]
        self._try_fit(
            "tickets", self.tickets, queries, vectors[rows], same_article, exclude_self=True
        )
        self._try_fit("kb", self.articles, queries, vectors[rows], own_article, exclude_self=False)

    def _try_fit(
        self,
        name: str,
        coll: Collection,
        queries: list[Ticket],
        vectors: NDArray[np.float32],
        relevant: list[set[str]],
        exclude_self: bool,
    ) -> None:
        use = [i for i, rel in enumerate(relevant) if rel]
        if len(use) < 10:
            logger.info("%s threshold: %d labelled queries, keeping the default", name, len(use))
            return
        try:
            fit = fit_min_relevance(
                coll,
                self.config,
                [queries[i].text for i in use],
                vectors[use],
                [relevant[i] for i in use],
                [queries[i].ticket_id if exclude_self else None for i in use],
            )
        except ConfigError as exc:
            logger.warning("%s threshold not calibrated (%s); keeping the default", name, exc)
            return
        self.calibration[name] = {**fit.as_dict(), "source": "calibrated (same KB article = match)"}

    # -- queries ------------------------------------------------------------------------------
    def _vector(self, text: str, vector: NDArray[np.float32] | None) -> NDArray[np.float32]:
        if vector is None:
            encoded: NDArray[np.float32] = self.embedder.encode([text])[0]
            return encoded
        row = np.asarray(vector, dtype=np.float32).reshape(1, -1)
        checked: NDArray[np.float32] = _checked(row, 1, self.embedder.dim)[0]
        return checked

    def similar(
        self,
        text: str,
        k: int = 5,
        *,
        vector: NDArray[np.float32] | None = None,
        filters: SearchFilter | Mapping[str, Any] | None = None,
    ) -> list[SimilarTicket]:
        """Up to `k` solved tickets at or above the calibrated relevance, best first (maybe none).

        `filters`: a `SearchFilter` or a dict of its fields (language, category, since, ...).
        """
        hits = self.tickets.search(
            text, self._vector(text, vector), k, self.config, keep=SearchFilter.of(filters)
        )
        return [_similar_ticket(h.id, h.score, h.metadata) for h in hits]

    def kb(
        self, text: str, k: int = 3, *, vector: NDArray[np.float32] | None = None
    ) -> list[KBSuggestion]:
        """Up to `k` KB articles at or above the calibrated relevance, best first (maybe none)."""
        hits = self.articles.search(text, self._vector(text, vector), k, self.config)
        return [_kb_suggestion(h) for h in hits]

    def article(self, article_id: str) -> KBArticle | None:
        """The indexed article with this id, or None. Indexes built before the body was stored
        give the snippet as `body` (re-export the bundle for whole articles)."""
        if article_id not in self.articles:
            return None
        meta = self.articles.dense.metadata(article_id)
        updated = meta.get("updated_at")
        return KBArticle(
            article_id=article_id,
            title=meta.get("title") or "",
            body=meta.get("body", meta.get("snippet")) or "",
            category=meta.get("category"),
            language=meta.get("language"),
            updated_at=datetime.fromisoformat(updated) if updated else None,
        )

    def neighbour_votes(
        self,
        text: str,
        targets: Sequence[str] = TARGETS,
        k: int = 10,
        *,
        vector: NDArray[np.float32] | None = None,
    ) -> list[NeighbourVote]:
        """Per target, the majority label among the `k` nearest solved tickets (no threshold)."""
        hits = self.tickets.search(text, self._vector(text, vector), k, self.config, gate=False)
        return _votes(hits, targets)

    def similar_and_votes(
        self,
        text: str,
        targets: Sequence[str] = TARGETS,
        k_similar: int = 5,
        k_votes: int = 10,
        *,
        vector: NDArray[np.float32] | None = None,
    ) -> tuple[list[SimilarTicket], list[NeighbourVote]]:
        """`similar(text, k_similar)` and `neighbour_votes(text, targets, k_votes)` from one
        ticket search (same results as the two calls; vector of shape (dim,))."""
        vec = self._vector(text, vector)
        pools = {max(self.config.candidates, k) for k in (k_similar, k_votes)}
        if len(pools) > 1 or k_similar <= 0 or k_votes <= 0:
            return (
                self.similar(text, k_similar, vector=vec),
                self.neighbour_votes(text, targets, k_votes, vector=vec),
            )
        ranked = self.tickets.ranked(text, vec, pools.pop(), self.config)
        return self._similar_and_votes_of(ranked, targets, k_similar, k_votes)

    def _similar_and_votes_of(
        self, ranked: list[tuple[str, float]], targets: Sequence[str], k_similar: int, k_votes: int
    ) -> tuple[list[SimilarTicket], list[NeighbourVote]]:
        """Two cuts of one ticket ranking: the gated top `k_similar`, the ungated `k_votes`."""
        top = self.tickets.top(ranked, k_similar)
        similar = [_similar_ticket(h.id, h.score, h.metadata) for h in top]
        return similar, _votes(self.tickets.top(ranked, k_votes, gate=False), targets)

    def for_tickets(
        self,
        texts: Sequence[str],
        vectors: NDArray[np.float32],
        targets: Sequence[str] = TARGETS,
        k_similar: int = 5,
        k_votes: int = 10,
        k_kb: int = 3,
    ) -> list[TicketMatches]:
        """For each text (vectors (m, dim)): `similar_and_votes` and `kb`, the same results with
        one dense search per collection for all texts (what a micro-batch of new tickets needs)."""
        vectors = _checked(vectors, len(texts), self.embedder.dim)
        pools = {max(self.config.candidates, k) for k in (k_similar, k_votes)}
        if len(pools) > 1 or k_similar <= 0 or k_votes <= 0:
            pairs = [
                self.similar_and_votes(t, targets, k_similar, k_votes, vector=vectors[i])
                for i, t in enumerate(texts)
            ]
        else:
            pairs = [
                self._similar_and_votes_of(r, targets, k_similar, k_votes)
                for r in self.tickets.ranked_many(texts, vectors, pools.pop(), self.config)
            ]
        kbs: list[list[KBSuggestion]] = [[] for _ in texts]
        if k_kb > 0:
            pool = max(self.config.candidates, k_kb)
            ranked = self.articles.ranked_many(texts, vectors, pool, self.config)
            kbs = [[_kb_suggestion(h) for h in self.articles.top(r, k_kb)] for r in ranked]
        return [
            TicketMatches(similar, votes, kb)
            for (similar, votes), kb in zip(pairs, kbs, strict=True)
        ]

    # -- online changes -----------------------------------------------------------------------
    def add_ticket(self, ticket: Ticket, vector: NDArray[np.float32] | None = None) -> bool:
        """Index a newly solved ticket (replacing an older version); False if it is not solved
        or has no solution (then any older version is removed)."""
        if not is_indexable(ticket):
            self.tickets.remove([ticket.ticket_id])
            return False
        vec = self._vector(ticket.text, vector)
        self.tickets.add([ticket.ticket_id], [ticket.text], vec[None, :], [ticket_metadata(ticket)])
        return True

    def add_tickets(self, tickets: Sequence[Ticket]) -> int:
        """`add_ticket` for many (the last version of a ticket id wins), embedded in one call;
        returns how many were indexed."""
        latest: dict[str, Ticket] = {}
        for ticket in tickets:  # ordered by each id's last version, as one-by-one adds leave it
            latest.pop(ticket.ticket_id, None)
            latest[ticket.ticket_id] = ticket
        solved = [t for t in latest.values() if is_indexable(t)]
        self.tickets.remove([i for i, t in latest.items() if not is_indexable(t)])
        if solved:
            self._embed_into(
                self.tickets,
                [t.ticket_id for t in solved],
                [t.text for t in solved],
                [ticket_metadata(t) for t in solved],
            )
        return len(solved)

    def add_article(self, article: KBArticle) -> None:
        """Index a new or changed KB article."""
        self._add_articles([article])

    def remove(self, item_id: str) -> int:
        """Erase a ticket or article (vector, text and metadata); returns how many were removed."""
        return self.tickets.remove([item_id]) + self.articles.remove([item_id])

    def stats(self) -> dict[str, Any]:
        """Sizes, index kinds, thresholds and the embedder, for summaries."""
        return {
            "embedder": self.embedder.name,
            "dim": self.embedder.dim,
            "tickets": len(self.tickets),
            "articles": len(self.articles),
            "index_kind": self.tickets.dense.kind_,
            "min_relevance": {
                "tickets": self.tickets.min_relevance,
                "kb": self.articles.min_relevance,
            },
            "fusion": self.config.fusion,
        }

    # -- persistence --------------------------------------------------------------------------
    def save(self, directory: Path, *, checksums: bool = True) -> Path:
        """Write the retriever folder atomically, stamped with the embedder name and dimension.

        `checksums=False` inside a model bundle, whose manifest checksums every file."""
        directory = Path(directory)
        manifest = {
            "format": FORMAT_VERSION,
            "embedder": self.embedder.name,
            "dim": self.embedder.dim,
            "config": self.config.as_dict(),
            "calibration": self.calibration,
        }

        def write_collections(tmp: Path) -> dict[str, bytes]:
            return {**self.tickets.save(tmp / "tickets"), **self.articles.save(tmp / "articles")}

        write_folder(
            directory,
            {MANIFEST: json.dumps(manifest, indent=2).encode()},
            write_collections,
            checksums=checksums,
        )
        return directory

    @classmethod
    def load(cls, directory: Path, embedder: Embedder, *, verified: bool = False) -> Retriever:
        """Read a saved retriever; refuses a different embedder with `BundleError`.

        `verified`: the files were checked already (a bundle's manifest); else the folder's own
        checksums are, and a missing, truncated or altered file raises `VectorIndexError`."""
        directory = Path(directory)
        files = read_folder(
            directory, (MANIFEST, "tickets.json", "articles.json"), verified=verified
        )
        manifest = json.loads(files[MANIFEST])
        if (manifest["embedder"], manifest["dim"]) != (embedder.name, embedder.dim):
            raise BundleError(
                f"index built with {manifest['embedder']} (dim {manifest['dim']}), loaded with "
                f"{embedder.name} (dim {embedder.dim}); re-export the bundle"
            )
        # Indexes saved before the `lexical` option ranked with BM25: keep them as they were.
        config = RetrievalConfig(**{"lexical": "bm25", **manifest["config"]})
        tickets = Collection.load(directory / "tickets", files["tickets.json"])
        articles = Collection.load(directory / "articles", files["articles.json"])
        return cls(embedder, config, tickets, articles, manifest.get("calibration"))


def _checked(vectors: NDArray[np.float32], rows: int, dim: int) -> NDArray[np.float32]:
    matrix = np.asarray(vectors, dtype=np.float32)
    if matrix.shape != (rows, dim):
        raise VectorIndexError(
            f"vectors have shape {matrix.shape}, expected ({rows}, {dim}); "
            "pass embeddings from the retriever's embedder"
        )
    return matrix


@dataclass(frozen=True, slots=True)
class TicketMatches:
    """What retrieval found for one new ticket."""

    similar: list[SimilarTicket]
    votes: list[NeighbourVote]
    kb: list[KBSuggestion]


def _kb_suggestion(hit: Hit) -> KBSuggestion:
    return KBSuggestion(hit.id, hit.metadata["title"], round(hit.score, 4), hit.metadata["snippet"])


def _votes(hits: Sequence[Hit], targets: Sequence[str]) -> list[NeighbourVote]:
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


def _similar_ticket(ticket_id: str, score: float, meta: dict[str, Any]) -> SimilarTicket:
    resolved = meta.get("resolved_at")
    return SimilarTicket(
        ticket_id=ticket_id,
        similarity=round(score, 4),
        subject=meta.get("subject") or "",
        solution=meta.get("solution"),
        category=meta.get("category"),
        support_line=meta.get("support_line"),
        resolved_at=datetime.fromisoformat(resolved) if resolved else None,
    )


def saved_embedder_spec(directory: Path) -> str:
    """The `load_embedder` spec of the embedder a saved retriever was built with."""
    from triage.embeddings import spec_for_name

    manifest_file = Path(directory) / MANIFEST
    if not manifest_file.is_file():
        raise VectorIndexError(f"{directory}: no {MANIFEST}; build it with `triage index build`")
    try:
        return spec_for_name(str(json.loads(manifest_file.read_text())["embedder"]))
    except (json.JSONDecodeError, KeyError) as exc:
        raise VectorIndexError(f"{manifest_file}: unreadable ({exc}); rebuild the index") from exc
