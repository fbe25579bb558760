"""The one object the service holds: a loaded bundle that triages tickets."""

from __future__ import annotations

import functools
import logging
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from triage.bundle import RETRIEVAL_DIR, bundle_embedder, load_verified
from triage.classifiers import TargetClassifier
from triage.embeddings import Embedder
from triage.errors import BundleError, ConfigError
from triage.features import FeatureInput, TicketFeaturizer, feature_input
from triage.guards import FamiliarityGuard, known_word_counts
from triage.links import LinkTable
from triage.neighbours import EmbeddingNeighbours
from triage.policy import ActionPolicy
from triage.prediction import LabelScore, TargetPrediction, TriageResult
from triage.retrieval.protocol import RetrieverLike
from triage.retrieval.retriever import Retriever
from triage.schema import Ticket
from triage.text_model import TextBaseline

logger = logging.getLogger(__name__)


# Embedder batch size at inference. The embedder sorts a call's texts by length and pads each
# batch to its longest text; 32 random tickets in one batch pad to the longest of them. Measured
# (ONNX int8 MiniLM, 640 sample tickets in calls of 32): 65 texts/s at batch 32, 120 at batch 8.
INFERENCE_EMBED_BATCH = 8


SINGLE_THREAD_ROWS = 64
"""Up to this many tickets (the service's micro-batches) search the training vectors on one BLAS
thread: a (1, 384) x (384, 16k) product took 0.9 ms on one thread and 20 ms on OpenBLAS's
default threads on the 2-core machine under load (threads spinning on busy cores)."""


Found = tuple[NDArray[np.float32], NDArray[np.int64]]
"""One neighbour search of a batch: similarities and training rows (m, k), best first."""


@functools.cache
def _blas() -> Any:
    """threadpoolctl's controller (scanning the loaded libraries costs ms: once per process)."""
    from threadpoolctl import ThreadpoolController

    return ThreadpoolController()


def _search(
    neighbours: EmbeddingNeighbours, vectors: NDArray[np.float32], k: int | None = None
) -> Found:
    """`neighbours.search`, on one BLAS thread for the service's small batches."""
    if len(vectors) > SINGLE_THREAD_ROWS:
        return neighbours.search(vectors, k=k)
    with _blas().limit(limits=1, user_api="blas"):
        return neighbours.search(vectors, k=k)


class TriageModel:
    """Featuriser + one calibrated classifier and action policy per target + consistency links,
    plus the training tickets' embeddings (`neighbours`) and the familiarity guard that uses them.

    Classifiers with a vote blend read their neighbours' votes from `neighbours`. The votes and
    the familiarity guard read the same search: `search(data)` once, then pass it as `found` to
    `predict_proba` and `unfamiliar` (each searches on its own when not given one).
    """

    neighbours: EmbeddingNeighbours | None = None
    """Exact kNN over the final training rows' vectors (None: no embeddings, no guard, no votes)."""
    familiarity: FamiliarityGuard | None = None
    text_model: TextBaseline | None = None
    """The plain TF-IDF + LR model, for targets whose served logits weigh it (class default:
    bundles from before issue 9c)."""

    def __init__(
        self,
        featurizer: TicketFeaturizer,
        classifiers: dict[str, TargetClassifier],
        policies: dict[str, ActionPolicy],
        links: Sequence[LinkTable] = (),
        neighbours: EmbeddingNeighbours | None = None,
        familiarity: FamiliarityGuard | None = None,
        text_model: TextBaseline | None = None,
    ) -> None:
        self.featurizer = featurizer
        self.classifiers = classifiers
        self.policies = policies
        self.links = [
            link for link in links if link.parent in classifiers and link.child in classifiers
        ]
        self.neighbours = neighbours
        self.familiarity = familiarity
        self.text_model = text_model

    @property
    def targets(self) -> tuple[str, ...]:
        return tuple(self.classifiers)

    @property
    def needs_embeddings(self) -> bool:
        return bool(getattr(self.featurizer, "embedding_dim_", 0)) or self.neighbours is not None

    def search(self, data: FeatureInput) -> Found | None:
        """Each ticket's nearest training rows, what the votes and the familiarity guard read:
        `neighbours.k` of them when a classifier votes, the nearest one when only the guard
        reads it; None when nothing does (no neighbours, no vectors, no votes and no guard)."""
        if self.neighbours is None or data.embeddings is None or not len(data):
            return None
        voting = any(c.blend_ is not None for c in self.classifiers.values())
        if not voting and self.familiarity is None:
            return None
        return _search(self.neighbours, data.embeddings, None if voting else 1)

    def predict_proba(
        self, data: FeatureInput, consistent: bool = True, found: Found | None = None
    ) -> dict[str, NDArray[np.float64]]:
        """Calibrated probabilities per target, each (n, k) in `classifiers[t].classes_` order.

        With `consistent` (what is served), each linked child is the marginal of its joint with
        the parent (`link`); without, every target alone. `found`: `search(data)`, when made.
        """
        X = self.featurizer.transform(data)
        votes, text = self.votes(data, found), self.text_logs(data)
        proba = {t: c.predict_proba(X, votes[t], text[t]) for t, c in self.classifiers.items()}
        return self.link(proba) if consistent else proba

    def link(self, proba: dict[str, NDArray[np.float64]]) -> dict[str, NDArray[np.float64]]:
        """Per-target probabilities with every linked child replaced by its marginal over the
        parent's (served) distribution, links in order (`LinkTable.marginal`)."""
        out = dict(proba)
        for link in self.links:
            out[link.child] = link.marginal(
                out[link.parent],
                self.classifiers[link.parent].classes_.tolist(),
                out[link.child],
                self.classifiers[link.child].classes_.tolist(),
            )
        return out

    def uncalibrated_proba(
        self, data: FeatureInput, found: Found | None = None
    ) -> dict[str, NDArray[np.float64]]:
        """Softmax of the logits per target (temperature 1): what calibration starts from."""
        X = self.featurizer.transform(data)
        votes, text = self.votes(data, found), self.text_logs(data)
        return {t: c.uncalibrated_proba(X, votes[t], text[t]) for t, c in self.classifiers.items()}

    def text_logs(self, data: FeatureInput) -> dict[str, NDArray[np.float64] | None]:
        """Per target, the text model's log-probabilities (n, k) when its classifier uses them."""
        wanted = {t: c.classes_.tolist() for t, c in self.classifiers.items() if c.uses_text}
        out: dict[str, NDArray[np.float64] | None] = dict.fromkeys(self.classifiers)
        if not wanted:
            return out
        if self.text_model is None:
            raise BundleError("a classifier weighs the text model but the bundle has none")
        out.update(self.text_model.log_proba(data.texts, wanted))
        return out

    def votes(
        self, data: FeatureInput, found: Found | None = None
    ) -> dict[str, NDArray[np.float64] | None]:
        """Per target, the neighbours' vote shares (n, k) when its classifier blends them
        (`found`: `search(data)`, when made)."""
        blended = [t for t, c in self.classifiers.items() if c.blend_ is not None]
        out: dict[str, NDArray[np.float64] | None] = dict.fromkeys(self.classifiers)
        if not blended or self.neighbours is None:
            return out
        if data.embeddings is None:
            raise ConfigError("this model votes with neighbours: pass the tickets' embeddings")
        sims, rows = _search(self.neighbours, data.embeddings) if found is None else found
        for target in blended:
            classes = self.classifiers[target].classes_.tolist()
            out[target] = self.neighbours.vote_shares(target, sims, rows, classes)
        return out

    def nearest_similarity(
        self, data: FeatureInput, found: Found | None = None
    ) -> NDArray[np.float32] | None:
        """Cosine similarity (n,) of each ticket's nearest training ticket (the first column of
        `found` when given); None without vectors."""
        if self.neighbours is None or data.embeddings is None or not len(data):
            return None
        similarity, _ = _search(self.neighbours, data.embeddings, k=1) if found is None else found
        return similarity[:, 0] if similarity.shape[1] else None

    def unfamiliar(self, data: FeatureInput, found: Found | None = None) -> list[str | None]:
        """Per ticket, why it is unlike the training tickets (None: familiar, or no guard);
        `found`: `search(data)`, when made."""
        if self.familiarity is None:
            return [None] * len(data)
        known = known_word_counts(self.featurizer, data.texts)
        return self.familiarity.flags(self.nearest_similarity(data, found), known, len(data))

    def predictions(
        self, proba: dict[str, NDArray[np.float64]], row: int, unfamiliar: str | None = None
    ) -> dict[str, TargetPrediction]:
        """The `TargetPrediction` of every target for one row of `predict_proba` output."""
        return {t: self._one(t, proba[t][row], unfamiliar) for t in self.targets}

    def decisions(
        self, proba: dict[str, NDArray[np.float64]], unfamiliar: Sequence[str | None]
    ) -> dict[str, list[TargetPrediction]]:
        """Every row's `TargetPrediction` per target: the served decision, for evaluation."""
        return {
            t: [self._one(t, p, why) for p, why in zip(proba[t], unfamiliar, strict=True)]
            for t in self.targets
        }

    def _one(self, target: str, p: NDArray[np.float64], unfamiliar: str | None) -> TargetPrediction:
        classes = self.classifiers[target].classes_
        top = np.argsort(-p, kind="stable")[:3]
        alternatives = tuple(LabelScore(str(classes[i]), float(p[i])) for i in top)
        label, confidence = alternatives[0].label, alternatives[0].confidence
        policy = self.policies[target]
        runner_up = alternatives[1] if len(alternatives) > 1 else None
        decision = policy.decide(label, confidence, float(p[top].sum()), runner_up, unfamiliar)
        return TargetPrediction(
            target=target,
            label=label,
            confidence=confidence,
            action=decision.action,
            threshold=policy.thresholds.get(label),
            alternatives=alternatives,
            reason_code=decision.reason_code,
            reason=decision.reason,
        )


def embedder_from_spec(spec: str) -> Embedder:
    """The bundle's embedder by spec (`triage.embeddings.load_embedder`), as a `BundleError`."""
    from triage.embeddings import load_embedder

    try:
        return load_embedder(spec)
    except ConfigError as exc:
        raise BundleError(f"bundle embedder {spec!r} cannot be loaded: {exc}") from exc


class Triager:
    """A loaded bundle: predicts every target with an action, plus similar tickets when indexed."""

    def __init__(
        self,
        model: TriageModel,
        manifest: dict[str, Any],
        embedder: Embedder | None = None,
        retriever: RetrieverLike | None = None,
    ) -> None:
        self.model = model
        self.manifest = manifest
        self.embedder = embedder
        self.retriever = retriever

    @property
    def version(self) -> str:
        return str(self.manifest.get("version", "unversioned"))

    @property
    def targets(self) -> tuple[str, ...]:
        return self.model.targets

    @classmethod
    def load(cls, bundle_dir: Path, embedder: Embedder | None = None) -> Triager:
        """Load a bundle (checksums verified first); `BundleError` if missing, tampered, stale."""
        verified, model = load_verified(Path(bundle_dir))
        manifest = verified.manifest
        if not isinstance(model, TriageModel):
            raise BundleError(
                f"{bundle_dir}: model file holds {type(model).__name__}; re-export the bundle"
            )
        embedder = _check_embedder(Path(bundle_dir), manifest, embedder, model.needs_embeddings)
        with tempfile.TemporaryDirectory(prefix="triage-bundle-") as private:
            # the retriever reads a folder: give it the verified bytes, never the bundle again
            retriever = _load_retriever(
                verified.materialise(RETRIEVAL_DIR, Path(private)), embedder
            )
        return cls(model, manifest, embedder, retriever)

    def embed(self, texts: list[str]) -> NDArray[np.float32] | None:
        """Vectors (len(texts), dim) when the model or the retriever needs them, else None."""
        if self.embedder is None or not (self.model.needs_embeddings or self.retriever is not None):
            return None
        return self.embedder.encode(texts, batch_size=INFERENCE_EMBED_BATCH)

    def predict(self, ticket: Ticket, *, k_similar: int = 5, k_kb: int = 3) -> TriageResult:
        """Triage one ticket."""
        return self.predict_many([ticket], k_similar=k_similar, k_kb=k_kb)[0]

    def predict_many(
        self,
        tickets: Sequence[Ticket],
        *,
        k_similar: int = 5,
        k_kb: int = 3,
        vectors: NDArray[np.float32] | None = None,
    ) -> list[TriageResult]:
        """Triage many tickets with one batched embedding call; up to `k_similar` similar
        solved tickets and `k_kb` KB articles each (0 skips that search). `vectors`: this
        triager's `embed` of the tickets' texts, when the caller embedded them already."""
        if not tickets:
            return []
        texts = [t.text for t in tickets]
        vectors = self.embed(texts) if vectors is None else vectors
        data = feature_input(tickets, vectors)
        nearest = self.model.search(data)  # one neighbour search for the votes and the guard
        proba = self.model.predict_proba(data, found=nearest)
        unfamiliar = self.model.unfamiliar(data, nearest)
        found = self._retrieve_many(texts, vectors, k_similar, k_kb)
        return [
            TriageResult(
                predictions=self.model.predictions(proba, i, unfamiliar[i]),
                model_version=self.version,
                **found[i],
            )
            for i in range(len(tickets))
        ]

    def _retrieve_many(
        self,
        texts: list[str],
        vectors: NDArray[np.float32] | None,
        k_similar: int,
        k_kb: int,
    ) -> list[dict[str, tuple[Any, ...]]]:
        """Similar solved tickets, KB articles and neighbour votes (10) per text; one dense
        search per collection for the whole batch."""
        if self.retriever is None or vectors is None:
            return [{} for _ in texts]
        matches = self.retriever.search(
            texts, vectors, k_similar=k_similar, k_kb=k_kb, k_votes=10, targets=self.targets
        )
        return [
            {"similar": tuple(m.similar), "kb": tuple(m.kb), "evidence": tuple(m.votes)}
            for m in matches
        ]


def _check_embedder(
    bundle_dir: Path, manifest: dict[str, Any], embedder: Embedder | None, needed: bool
) -> Embedder | None:
    info = manifest.get("embedder") or {}
    if embedder is None:
        embedder = bundle_embedder(bundle_dir, manifest)
    if embedder is None:
        if needed:
            raise BundleError("bundle needs embeddings but names no embedder; re-export the bundle")
        return None
    if info.get("dim") is not None and int(info["dim"]) != embedder.dim:
        raise BundleError(
            f"embedder dim {embedder.dim} != {info['dim']} the bundle was trained with; "
            f"load it with the embedder {info.get('name')!r}"
        )
    if info.get("name") and info["name"] != embedder.name:
        logger.warning("embedder %s differs from the bundle's %s", embedder.name, info["name"])
    return embedder


def _load_retriever(folder: Path | None, embedder: Embedder | None) -> Retriever | None:
    if folder is None or embedder is None:
        return None
    return Retriever.load(folder, embedder, verified=True)  # `load_verified` checked every byte
