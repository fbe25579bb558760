"""`Retriever`: build, load, save; one batched search for tickets, articles, votes; add, remove."""

from __future__ import annotations

import json
import logging
import math
from collections.abc import Iterator, Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from triage.embeddings import Embedder
from triage.errors import BundleError, ConfigError, VectorIndexError
from triage.outputs import RETRIEVER
from triage.prediction import KBSuggestion, NeighbourVote, SimilarTicket
from triage.retrieval import calibrate, pairs
from triage.retrieval.collection import Collection, SearchFilter, Signals
from triage.retrieval.config import RetrievalConfig
from triage.retrieval.index import Hit
from triage.retrieval.kb_links import VOTE_K, article_votes, with_votes
from triage.retrieval.ood import unrelated_texts
from triage.retrieval.pairs import StandIn
from triage.retrieval.results import (
    TicketMatches,
    article_metadata,
    is_indexable,
    kb_suggestion,
    neighbour_votes,
    relevance_of,
    similar_ticket,
    ticket_metadata,
)
from triage.retrieval.store import read_folder, write_folder
from triage.schema import TARGETS, KBArticle, Ticket

logger = logging.getLogger(__name__)

FORMAT_VERSION = 1
MANIFEST = "retriever.json"
FLOORS = ("weak", "strong", "all")
"""Named cut-offs a caller may ask for: the floor (strong + weak results), strong only, none."""

__all__ = ["Retriever", "TicketMatches", "is_indexable", "saved_embedder_spec"]


class Retriever:
    """Solved tickets and KB articles, each a hybrid (dense + lexical) collection with a floor
    and a strong cut-off calibrated on the index's own data.

    Built once by the training pipeline or `triage index build` (`build`), grown online
    (`add_ticket`, `add_article`), saved with the embedder's name and dimension so a mismatched
    embedder is refused on `load`.
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
        related: Sequence[tuple[str, str]] = (),
    ) -> Retriever:
        """Index the solved tickets (with a solution) and all articles, then calibrate the cut-offs.

        `ticket_vectors` (shape (len(tickets), dim)) reuses embeddings the caller already has.
        `related`: (ticket id, related ticket or article id) pairs known from elsewhere (near-
        duplicates flagged at import, agents' feedback); the first id must be one of `tickets`.
        """
        config = config or RetrievalConfig()
        queries, vectors, keep = _queries(tickets, embedder, ticket_vectors)
        solved = [queries[i] for i in keep]
        retriever = cls(
            embedder,
            config,
            Collection.empty(embedder.dim, config),
            Collection.empty(embedder.dim, config),
        )
        retriever.tickets.add(
            [t.ticket_id for t in solved],
            [t.text for t in solved],
            vectors[keep],
            [ticket_metadata(t) for t in solved],
        )
        retriever._add_articles(list(articles))
        retriever._calibrate(queries, vectors, list(articles), related)
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

    def _calibrate(
        self,
        tickets: list[Ticket],
        vectors: NDArray[np.float32],
        articles: list[KBArticle],
        related: Sequence[tuple[str, str]],
    ) -> None:
        """Fit each collection's floor and strong cut-off on its known pairs and the built-in
        unrelated queries; record what was fitted on what in `self.calibration`."""
        texts = unrelated_texts()
        unrelated = (texts, self.embedder.encode(texts))
        sets = pairs.known_pairs(
            pairs.BuildData(tickets, vectors, articles, related),
            self.tickets.__contains__,
            self.articles.__contains__,
            self.embedder,
            stand_ins=self.config.lexical == "tfidf",  # a stand-in's lexical score is TF-IDF
        )
        for name, coll, ranker in (
            ("tickets", self.tickets, self._rank_tickets),
            ("kb", self.articles, self._rank_kb),
        ):
            if len(coll) == 0:  # documents added later (`triage kb import`) get the defaults
                coll.min_relevance = self.config.default_min_relevance
                coll.strong_relevance = self.config.default_strong_relevance
                source = "config default (nothing indexed at build time)"
                self.calibration[name] = {
                    "documents": 0,
                    "floor": {"value": coll.min_relevance, "source": source},
                    "strong": {"value": coll.strong_relevance, "source": source},
                }
                continue
            cut = calibrate.calibrate_collection(ranker, sets[name], unrelated, self.config)
            coll.min_relevance, coll.strong_relevance = cut.floor, cut.strong
            self.calibration[name] = {"documents": len(coll), **cut.record}

    # -- ranking as served ----------------------------------------------------------------------
    def _rank_tickets(
        self,
        text: str,
        vector: NDArray[np.float32],
        exclude: frozenset[str] = frozenset(),
        stand_in: StandIn | None = None,
    ) -> list[tuple[str, float]]:
        """Every ticket candidate, best first, ungated (a stand-in replaces its match)."""
        pool = self.config.candidates + len(exclude)
        found = self.tickets.signals(text, vector, pool, self.config, exclude=exclude)
        return _stood_in(found, stand_in, self.tickets, text, vector).ranked(self.config)

    def _rank_kb(
        self,
        text: str,
        vector: NDArray[np.float32],
        exclude: frozenset[str] = frozenset(),
        stand_in: StandIn | None = None,
        *,
        neighbours: Sequence[Hit] | None = None,
        found: Signals | None = None,
    ) -> list[tuple[str, float]]:
        """Every article candidate, best first, ungated, scored with the votes of the nearest
        solved tickets (`neighbours`, searched when not given; `kb_links`)."""
        if neighbours is None:
            ranked = self._rank_tickets(text, vector, exclude)
            neighbours = self.tickets.top(ranked, VOTE_K, gate=False)
        votes = {a: v for a, v in article_votes(neighbours).items() if a in self.articles}
        if found is None:
            pool = self.config.candidates + len(exclude)
            found = self.articles.signals(text, vector, pool, self.config, exclude=exclude)
        found = found.with_ids(self.articles, list(votes), text, vector, self.config)
        found = _stood_in(found, stand_in, self.articles, text, vector)
        return with_votes(found.ranked(self.config), votes)

    # -- queries ------------------------------------------------------------------------------
    def search(
        self,
        texts: Sequence[str],
        vectors: NDArray[np.float32] | None = None,
        *,
        k_similar: int = 5,
        k_kb: int = 3,
        k_votes: int = 10,
        targets: Sequence[str] = TARGETS,
        filters: SearchFilter | Mapping[str, Any] | None = None,
        floor: float | None = None,
        kb_floor: float | None = None,
    ) -> list[TicketMatches]:
        """Per text (vectors (m, dim), embedded in one call when None): up to `k_similar` solved
        tickets and `k_kb` KB articles at or above the floor (default: the calibrated one), best
        first, each marked "strong" or "weak"; and per target the majority label among the
        `k_votes` nearest solved tickets (no floor). 0 skips a part.

        One dense search per collection and candidate pool for all texts (a micro-batch costs
        one matrix product, not m scans); each text's results equal those of the same call
        with that text alone. `filters` (a `SearchFilter` or a dict of its fields: language,
        category, since, ...) restricts the solved tickets, for similar tickets and votes alike.
        """
        keep = SearchFilter.of(filters)
        vectors = self._vectors(texts, vectors)
        rankings = _TicketRankings(self, texts, vectors, keep)
        cand = self.config.candidates
        similar: list[list[SimilarTicket]] = [[] for _ in texts]
        votes: list[list[NeighbourVote]] = [[] for _ in texts]
        if k_similar > 0:
            ranked = rankings.at(max(cand, k_similar))
            similar = [
                [self._similar(h) for h in self.tickets.top(r, k_similar, floor=floor)]
                for r in ranked
            ]
        if k_votes > 0:
            ranked = rankings.at(max(cand, k_votes))
            votes = [
                neighbour_votes(self.tickets.top(r, k_votes, gate=False), targets) for r in ranked
            ]
        kbs = self._kb_many(texts, vectors, rankings, k_kb, kb_floor)
        return [TicketMatches(*found) for found in zip(similar, votes, kbs, strict=True)]

    def similar(
        self,
        text: str,
        k: int = 5,
        *,
        vector: NDArray[np.float32] | None = None,
        filters: SearchFilter | Mapping[str, Any] | None = None,
        floor: float | None = None,
    ) -> list[SimilarTicket]:
        """`search` for one text (vector of shape (dim,)), similar tickets only."""
        rows = self._one(text, vector)
        found = self.search(
            [text], rows, k_similar=k, k_kb=0, k_votes=0, filters=filters, floor=floor
        )
        return found[0].similar

    def kb(
        self,
        text: str,
        k: int = 3,
        *,
        vector: NDArray[np.float32] | None = None,
        floor: float | None = None,
    ) -> list[KBSuggestion]:
        """`search` for one text (vector of shape (dim,)), KB articles only."""
        rows = self._one(text, vector)
        return self.search([text], rows, k_similar=0, k_kb=k, k_votes=0, kb_floor=floor)[0].kb

    def neighbour_votes(
        self,
        text: str,
        targets: Sequence[str] = TARGETS,
        k: int = 10,
        *,
        vector: NDArray[np.float32] | None = None,
    ) -> list[NeighbourVote]:
        """`search` for one text (vector of shape (dim,)), votes only."""
        rows = self._one(text, vector)
        found = self.search([text], rows, k_similar=0, k_kb=0, k_votes=k, targets=targets)
        return found[0].votes

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

    def _vectors(
        self, texts: Sequence[str], vectors: NDArray[np.float32] | None
    ) -> NDArray[np.float32]:
        if vectors is None:
            return self.embedder.encode(list(texts))
        return _checked(vectors, len(texts), self.embedder.dim)

    def _one(self, text: str, vector: NDArray[np.float32] | None) -> NDArray[np.float32]:
        """One text's vector as a (1, dim) matrix (embedded when None)."""
        if vector is None:
            return self.embedder.encode([text])
        return _checked(np.asarray(vector, dtype=np.float32).reshape(1, -1), 1, self.embedder.dim)

    def _kb_many(
        self,
        texts: Sequence[str],
        vectors: NDArray[np.float32],
        rankings: _TicketRankings,
        k: int,
        floor: float | None,
    ) -> list[list[KBSuggestion]]:
        """Up to `k` articles per text: one dense article search for all texts, each article
        scored with the votes of the text's nearest solved tickets (`kb_links`)."""
        if k <= 0 or len(self.articles) == 0:
            return [[] for _ in texts]
        pool = max(self.config.candidates, k)
        found = self.articles.signals_many(texts, vectors, pool, self.config)
        tickets = rankings.at(self.config.candidates)
        out = []
        for i, text in enumerate(texts):
            neighbours = self.tickets.top(tickets[i], VOTE_K, gate=False)
            ranked = self._rank_kb(text, vectors[i], neighbours=neighbours, found=found[i])
            out.append([self._kb(h) for h in self.articles.top(ranked, k, floor=floor)])
        return out

    def _similar(self, hit: Hit) -> SimilarTicket:
        return similar_ticket(hit, relevance_of(hit.score, self.tickets.strong_relevance))

    def _kb(self, hit: Hit) -> KBSuggestion:
        return kb_suggestion(hit, relevance_of(hit.score, self.articles.strong_relevance))

    def cutoff(
        self, which: str | float | None, collection: str = "tickets"
    ) -> tuple[float, dict[str, Any]]:
        """The floor a query asks for, as (value for `floor=` of `similar` / `kb`, record of
        which cut-off it is and where it comes from): None or "weak" (the index's floor: strong
        and weak results), "strong" (strong results only), "all" (no floor) or a number."""
        coll = self.tickets if collection == "tickets" else self.articles
        saved = self.calibration.get(collection, {})
        if which is None or which == "weak":
            source = saved.get("floor", {}).get("source", "saved with the index")
            return coll.min_relevance, {
                "cutoff": "floor",
                "value": coll.min_relevance,
                "source": source,
            }
        if which == "strong":
            source = saved.get("strong", {}).get("source", "saved with the index")
            value = coll.strong_relevance
            return value, {"cutoff": "strong", "value": value, "source": source}
        if which == "all":
            return -math.inf, {"cutoff": "none", "value": None, "source": "every result asked for"}
        if isinstance(which, str) or not math.isfinite(which):
            raise ConfigError(f"cut-off {which!r} is unknown; use {', '.join(FLOORS)} or a number")
        if not -1.0 <= which <= 1.0:
            raise ConfigError(
                f"cut-off {which!r} is outside the relevance scale (-1 to 1), so it would keep "
                f"{'nothing' if which > 1 else 'everything'}; use a number such as "
                f"{coll.min_relevance:.2f} (this index's floor), or {', '.join(FLOORS)}"
            )
        return float(which), {"cutoff": "fixed", "value": float(which), "source": "asked for"}

    # -- online changes -----------------------------------------------------------------------
    def add_ticket(self, ticket: Ticket, vector: NDArray[np.float32] | None = None) -> bool:
        """Index a newly solved ticket (replacing an older version); False if it is not solved
        or has no solution (then any older version is removed)."""
        if not is_indexable(ticket):
            self.tickets.remove([ticket.ticket_id])
            return False
        rows = self._one(ticket.text, vector)
        self.tickets.add([ticket.ticket_id], [ticket.text], rows, [ticket_metadata(ticket)])
        return True

    def add_tickets(self, tickets: Sequence[Ticket]) -> int:
        """`add_ticket` for many (the last version of a ticket id wins), embedded in one call;
        returns how many were indexed."""
        latest: dict[str, Ticket] = {}
        for ticket in tickets:  # ordered by each id's last version, as one-by-one adds leave it
            latest.pop(ticket.ticket_id, None)
            latest[ticket.ticket_id] = ticket
        solved = [t for t in latest.values() if is_indexable(t)]
        if solved:
            self._embed_into(
                self.tickets,
                [t.ticket_id for t in solved],
                [t.text for t in solved],
                [ticket_metadata(t) for t in solved],
            )
        # Removals last, so new terms get the idf they would get one by one (`TfidfCosine.add`).
        self.tickets.remove([i for i, t in latest.items() if not is_indexable(t)])
        return len(solved)

    def add_article(self, article: KBArticle) -> None:
        """Index a new or changed KB article."""
        self._add_articles([article])

    def remove(self, item_id: str) -> int:
        """Erase a ticket or article (vector, text and metadata); returns how many were removed."""
        return self.tickets.remove([item_id]) + self.articles.remove([item_id])

    def has_ticket(self, ticket_id: str) -> bool:
        """True when this solved ticket is indexed."""
        return ticket_id in self.tickets

    def indexed_tickets(self) -> Iterator[tuple[str, Mapping[str, Any]]]:
        """Every indexed solved ticket's id with its stored metadata, in insertion order."""
        dense = self.tickets.dense
        for ticket_id in dense.ids:
            yield ticket_id, dense.metadata(ticket_id)

    def stats(self) -> dict[str, Any]:
        """Sizes, index kinds, cut-offs, ranking and the embedder, for summaries."""
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
            "strong_relevance": {
                "tickets": self.tickets.strong_relevance,
                "kb": self.articles.strong_relevance,
            },
            "fusion": self.config.fusion,
            "alpha": self.config.alpha,
            "lexical": self.config.lexical,
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
            kind=RETRIEVER,
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


class _TicketRankings:
    """Every text's ranking of the solved tickets per candidate pool, searched once per pool
    (`Collection.ranked_many`): similar tickets, votes and the KB's ticket votes share one
    search when their pools are equal (the default: all are `config.candidates`)."""

    def __init__(
        self,
        retriever: Retriever,
        texts: Sequence[str],
        vectors: NDArray[np.float32],
        keep: SearchFilter | None,
    ) -> None:
        self.retriever, self.texts, self.vectors, self.keep = retriever, texts, vectors, keep
        self._by_pool: dict[int, list[list[tuple[str, float]]]] = {}

    def at(self, pool: int) -> list[list[tuple[str, float]]]:
        if pool not in self._by_pool:
            r = self.retriever
            self._by_pool[pool] = r.tickets.ranked_many(
                self.texts, self.vectors, pool, r.config, keep=self.keep
            )
        return self._by_pool[pool]


def _queries(
    tickets: Sequence[Ticket], embedder: Embedder, vectors: NDArray[np.float32] | None
) -> tuple[list[Ticket], NDArray[np.float32], list[int]]:
    """The tickets known pairs may start from, their vectors, and the rows to index. Given
    vectors, every ticket can be a query; else only the indexable ones are embedded."""
    if vectors is not None:
        keep = [i for i, t in enumerate(tickets) if is_indexable(t)]
        return list(tickets), _checked(vectors, len(tickets), embedder.dim), keep
    solved = [t for t in tickets if is_indexable(t)]
    return solved, embedder.encode([t.text for t in solved]), list(range(len(solved)))


def _stood_in(
    found: Signals,
    stand_in: StandIn | None,
    coll: Collection,
    text: str,
    vector: NDArray[np.float32],
) -> Signals:
    """`found` with the stand-in's cosine and TF-IDF cosine in place of its document's."""
    if stand_in is None:
        return found
    cosine = float(np.asarray(stand_in.vector, dtype=np.float32) @ vector)
    return found.with_scores(
        stand_in.item_id, cosine, coll.lexical.cosine_pair(text, stand_in.text)
    )


def _checked(vectors: NDArray[np.float32], rows: int, dim: int) -> NDArray[np.float32]:
    matrix = np.asarray(vectors, dtype=np.float32)
    if matrix.shape != (rows, dim):
        raise VectorIndexError(
            f"vectors have shape {matrix.shape}, expected ({rows}, {dim}); "
            "pass embeddings from the retriever's embedder"
        )
    return matrix


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
