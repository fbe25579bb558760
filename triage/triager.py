"""The one object the service holds: a loaded bundle that triages tickets."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from triage.bundle import RETRIEVAL_DIR
from triage.classifiers import TargetClassifier
from triage.embeddings import Embedder
from triage.errors import BundleError, ConfigError
from triage.features import FeatureInput, TicketFeaturizer, feature_input
from triage.neighbours import EmbeddingNeighbours
from triage.policy import ActionPolicy, LinkTable
from triage.prediction import LabelScore, TargetPrediction, TriageResult
from triage.schema import Ticket

logger = logging.getLogger(__name__)


# Embedder batch size at inference. The embedder sorts a call's texts by length and pads each
# batch to its longest text; 32 random tickets in one batch pad to the longest of them. Measured
# (ONNX int8 MiniLM, 640 sample tickets in calls of 32): 65 texts/s at batch 32, 120 at batch 8.
INFERENCE_EMBED_BATCH = 8


class TriageModel:
    """Featuriser + one calibrated classifier and action policy per target + consistency links.

    `neighbours` (optional): the final training tickets' embeddings and labels; classifiers with
    a vote blend read their neighbours' votes from it (one search per `predict_proba` call).
    """

    neighbours: EmbeddingNeighbours | None = None  # class default: bundles from before 2026-12

    def __init__(
        self,
        featurizer: TicketFeaturizer,
        classifiers: dict[str, TargetClassifier],
        policies: dict[str, ActionPolicy],
        links: Sequence[LinkTable] = (),
        neighbours: EmbeddingNeighbours | None = None,
    ) -> None:
        self.featurizer = featurizer
        self.classifiers = classifiers
        self.policies = policies
        self.links = [
            link for link in links if link.parent in classifiers and link.child in classifiers
        ]
        self.neighbours = neighbours

    @property
    def targets(self) -> tuple[str, ...]:
        return tuple(self.classifiers)

    @property
    def needs_embeddings(self) -> bool:
        return bool(getattr(self.featurizer, "embedding_dim_", 0)) or self.neighbours is not None

    def predict_proba(
        self, data: FeatureInput, consistent: bool = True
    ) -> dict[str, NDArray[np.float64]]:
        """Calibrated probabilities per target, each (n, k) in `classifiers[t].classes_` order.

        With `consistent`, child targets are restricted to labels seen with the predicted parent.
        """
        X = self.featurizer.transform(data)
        votes = self.votes(data)
        proba = {t: c.predict_proba(X, votes[t]) for t, c in self.classifiers.items()}
        if consistent:
            for link in self.links:
                proba[link.child] = self._restrict(link, proba)
        return proba

    def uncalibrated_proba(self, data: FeatureInput) -> dict[str, NDArray[np.float64]]:
        """Softmax of the logits per target (temperature 1): what calibration starts from."""
        X = self.featurizer.transform(data)
        votes = self.votes(data)
        return {t: c.uncalibrated_proba(X, votes[t]) for t, c in self.classifiers.items()}

    def votes(self, data: FeatureInput) -> dict[str, NDArray[np.float64] | None]:
        """Per target, the neighbours' vote shares (n, k) when its classifier blends them."""
        blended = [t for t, c in self.classifiers.items() if c.blend_ is not None]
        out: dict[str, NDArray[np.float64] | None] = dict.fromkeys(self.classifiers)
        if not blended or self.neighbours is None:
            return out
        if data.embeddings is None:
            raise ConfigError("this model votes with neighbours: pass the tickets' embeddings")
        sims, rows = self.neighbours.search(data.embeddings)  # once for every target
        for target in blended:
            classes = self.classifiers[target].classes_.tolist()
            out[target] = self.neighbours.vote_shares(target, sims, rows, classes)
        return out

    def _restrict(
        self, link: LinkTable, proba: dict[str, NDArray[np.float64]]
    ) -> NDArray[np.float64]:
        parent_classes = self.classifiers[link.parent].classes_
        child_classes = self.classifiers[link.child].classes_.tolist()
        parents = parent_classes[proba[link.parent].argmax(axis=1)]
        rows = [
            link.restrict(p, row, child_classes)
            for p, row in zip(parents, proba[link.child], strict=True)
        ]
        return np.vstack(rows) if rows else proba[link.child]

    def predictions(
        self, proba: dict[str, NDArray[np.float64]], row: int
    ) -> dict[str, TargetPrediction]:
        """The `TargetPrediction` of every target for one row of `predict_proba` output."""
        return {t: self._one(t, proba[t][row]) for t in self.targets}

    def _one(self, target: str, p: NDArray[np.float64]) -> TargetPrediction:
        classes = self.classifiers[target].classes_
        top = np.argsort(-p, kind="stable")[:3]
        label, confidence = str(classes[top[0]]), float(p[top[0]])
        policy = self.policies[target]
        return TargetPrediction(
            target=target,
            label=label,
            confidence=confidence,
            action=policy.action(label, confidence, float(p[top].sum())),
            threshold=policy.thresholds.get(label),
            alternatives=tuple(LabelScore(str(classes[i]), float(p[i])) for i in top),
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
        retriever: Any = None,
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
        from triage.bundle import load_model

        manifest, model = load_model(Path(bundle_dir))
        if not isinstance(model, TriageModel):
            raise BundleError(
                f"{bundle_dir}: model file holds {type(model).__name__}; re-export the bundle"
            )
        embedder = _check_embedder(manifest, embedder, model.needs_embeddings)
        retriever = _load_retriever(Path(bundle_dir), embedder)
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
        self, tickets: Sequence[Ticket], *, k_similar: int = 5, k_kb: int = 3
    ) -> list[TriageResult]:
        """Triage many tickets with one batched embedding call; up to `k_similar` similar
        solved tickets and `k_kb` KB articles each (0 skips that search)."""
        if not tickets:
            return []
        texts = [t.text for t in tickets]
        vectors = self.embed(texts)
        proba = self.model.predict_proba(feature_input(tickets, vectors))
        found = self._retrieve_many(texts, vectors, k_similar, k_kb)
        return [
            TriageResult(
                predictions=self.model.predictions(proba, i),
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
        matches = self.retriever.for_tickets(
            texts, vectors, self.targets, k_similar=k_similar, k_votes=10, k_kb=k_kb
        )
        return [
            {"similar": tuple(m.similar), "kb": tuple(m.kb), "evidence": tuple(m.votes)}
            for m in matches
        ]


def _check_embedder(
    manifest: dict[str, Any], embedder: Embedder | None, needed: bool
) -> Embedder | None:
    info = manifest.get("embedder") or {}
    if embedder is None and info.get("name"):
        embedder = embedder_from_spec(str(info.get("spec") or info["name"]))
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


def _load_retriever(bundle_dir: Path, embedder: Embedder | None) -> Any:
    folder = bundle_dir / RETRIEVAL_DIR
    if not folder.is_dir() or embedder is None:
        return None
    try:
        from triage.retrieval import Retriever
    except ImportError:
        logger.warning("bundle has a retrieval index but triage.retrieval is not installed")
        return None
    return Retriever.load(folder, embedder, verified=True)  # `load_model` checked every file
