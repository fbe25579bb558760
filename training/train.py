"""Pure training (no MLflow): tickets in, a calibrated `TriageModel` with its evaluation out."""

from __future__ import annotations

import logging
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from training.config import TrainConfig
from training.datasets import Split, fingerprint, labels, split_tickets
from triage.classifiers import TargetClassifier
from triage.embeddings import Embedder
from triage.errors import DataError
from triage.features import FeatureInput, TicketFeaturizer, feature_input
from triage.policy import ActionPolicy, LinkTable, choose_thresholds, precision_coverage_curve
from triage.schema import Ticket
from triage.triager import TriageModel, embedder_from_spec

logger = logging.getLogger(__name__)

Progress = Callable[[str], None]


@dataclass
class TrainResult:
    """A trained model, its test-set evaluation and everything needed to log or export it."""

    config: TrainConfig
    model: TriageModel
    embedder: dict[str, Any]
    metrics: dict[str, Any]
    split_sizes: dict[str, int]
    split_method: str
    data_fingerprint: str
    skipped: dict[str, str]
    test_tickets: list[Ticket]
    curves: dict[str, Any] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)
    retriever: Any = None
    retrieval_error: str | None = None
    embedder_object: Embedder | None = None
    """The (cached) embedder used in training; not saved, reused to build the retrieval index."""

    def summary_metrics(self) -> dict[str, float]:
        """Flat `target.metric` numbers (for MLflow and the promotion gate)."""
        flat: dict[str, float] = {}
        for target, report in self.metrics.get("targets", {}).items():
            for key in (
                "accuracy",
                "macro_f1",
                "top3_accuracy",
                "ece",
                "ece_uncalibrated",
                "coverage",
                "auto_precision",
            ):
                if key in report:
                    flat[f"{target}.{key}"] = float(report[key])
            for name, base in report.get("baselines", {}).items():
                for key, value in base.items():
                    flat[f"{target}.baseline_{name}.{key}"] = float(value)
        for name, rate in self.metrics.get("consistency", {}).items():
            flat[f"consistency.{name}"] = float(rate)
        return flat


def make_embedder(
    config: TrainConfig, embedder: Embedder | None, needed: bool | None = None
) -> Embedder | None:
    """The configured embedder (or the given one), wrapped in the on-disk cache when configured.

    None when not `needed` (default: when the features use no embeddings).
    """
    if not (config.features.embeddings if needed is None else needed):
        return None
    base = embedder if embedder is not None else embedder_from_spec(config.embedder)
    if config.embedding_cache is None:
        return base
    from triage.embedding_cache import CachedEmbedder

    return CachedEmbedder(base, Path(config.embedding_cache))


def trainable_targets(
    config: TrainConfig, tickets: Sequence[Ticket]
) -> tuple[list[str], dict[str, str]]:
    """Targets with enough labelled examples and two or more classes; why others are skipped."""
    keep, skipped = [], {}
    for target in config.targets:
        counts = Counter(v for v in labels(tickets, target) if v is not None)
        frequent = [c for c, n in counts.items() if n >= config.min_examples_per_class]
        if sum(counts.values()) < config.min_examples_per_target:
            skipped[target] = (
                f"{sum(counts.values())} labelled tickets, fewer than "
                f"min_examples_per_target={config.min_examples_per_target}"
            )
        elif len(frequent) < 2:
            skipped[target] = (
                f"only {len(frequent)} class(es) with >= {config.min_examples_per_class} "
                f"examples ({dict(counts.most_common(3))}); need two"
            )
        else:
            keep.append(target)
    if not keep:
        detail = "; ".join(f"{t}: {why}" for t, why in skipped.items())
        raise DataError(
            f"no target can be trained ({detail}); label more tickets or change `targets`"
        )
    return keep, skipped


def _timed(timings: dict[str, float], name: str, start: float) -> None:
    timings[name] = round(time.perf_counter() - start, 3)


def train(
    config: TrainConfig,
    tickets: Sequence[Ticket],
    *,
    embedder: Embedder | None = None,
    progress: Progress | None = None,
) -> TrainResult:
    """Split, featurise, fit, calibrate, choose thresholds, evaluate on the held-out test split."""
    note = progress or (lambda step: None)
    timings: dict[str, float] = {}
    targets, skipped = trainable_targets(config, tickets)
    split = split_tickets(tickets, config.split, config.seed, stratify=targets[0])
    start = time.perf_counter()
    note("embedding")
    emb = make_embedder(config, embedder)
    inputs = _inputs(split, emb)
    _timed(timings, "embedding_s", start)
    start = time.perf_counter()
    note("features")
    featurizer = _featurizer(config).fit(inputs["train"])
    X = {name: featurizer.transform(data) for name, data in inputs.items()}
    _timed(timings, "features_s", start)
    start = time.perf_counter()
    classifiers, policies, reports = {}, {}, {}
    for target in targets:
        note(f"fit {target}")
        clf, policy, report = _fit_target(config, target, split, X)
        classifiers[target], policies[target], reports[target] = clf, policy, report
    _timed(timings, "fit_s", start)
    links = _links(config, split.train, targets)
    model = TriageModel(featurizer, classifiers, policies, links)
    note("evaluate")
    metrics, curves = _evaluate(config, model, split, inputs["test"], reports)
    if config.baselines:
        start = time.perf_counter()
        note("baselines")
        _add_baselines(config, metrics, split, inputs)
        _timed(timings, "baselines_s", start)
    return TrainResult(
        config=config,
        model=model,
        embedder=embedder_info(config, emb),
        metrics=metrics,
        split_sizes=split.sizes(),
        split_method=split.method,
        data_fingerprint=fingerprint(tickets, targets),
        skipped=skipped,
        test_tickets=split.test,
        curves=curves,
        timings=timings,
        embedder_object=emb,
    )


def embedder_info(config: TrainConfig, emb: Embedder | None) -> dict[str, Any]:
    if emb is None:
        return {}
    return {"name": emb.name, "dim": emb.dim, "spec": config.embedder}


def _inputs(split: Split, emb: Embedder | None) -> dict[str, FeatureInput]:
    parts = {"train": split.train, "val": split.val, "test": split.test}
    if emb is None:
        return {name: feature_input(ts) for name, ts in parts.items()}
    texts = [t.text for ts in parts.values() for t in ts]
    vectors = emb.encode(texts, batch_size=64)
    out, offset = {}, 0
    for name, ts in parts.items():
        out[name] = feature_input(ts, vectors[offset : offset + len(ts)])
        offset += len(ts)
    return out


def _featurizer(config: TrainConfig) -> TicketFeaturizer:
    f = config.features
    return TicketFeaturizer(
        word=f.word,
        char=f.char,
        embeddings=f.embeddings,
        meta=f.meta,
        embedding_weight=f.embedding_weight,
        max_word_features=f.max_word_features,
        max_char_features=f.max_char_features,
        min_df=f.min_df,
    )


def _rows(
    tickets: Sequence[Ticket], target: str, allowed: set[str] | None = None
) -> tuple[NDArray[np.int64], list[str]]:
    values = labels(tickets, target)
    rows = [i for i, v in enumerate(values) if v is not None and (allowed is None or v in allowed)]
    return np.asarray(rows, dtype=np.int64), [str(values[i]) for i in rows]


def _fit_target(
    config: TrainConfig, target: str, split: Split, X: dict[str, Any]
) -> tuple[TargetClassifier, ActionPolicy, dict[str, Any]]:
    rows, y = _rows(split.train, target)
    counts = Counter(y)
    kept = {c for c, n in counts.items() if n >= config.min_examples_per_class}
    dropped = sorted(set(counts) - kept)
    rows, y = _rows(split.train, target, kept)
    m = config.model
    clf = TargetClassifier(m.kind, m.C, m.class_weight, m.max_iter, config.seed).fit(
        X["train"][rows], y
    )
    val_rows, y_val = _rows(split.val, target)
    clf.calibrate(X["val"][val_rows], y_val)
    val_proba = clf.predict_proba(X["val"][val_rows])
    p = config.policy
    thresholds = choose_thresholds(
        val_proba,
        clf.label_indices(y_val),
        clf.classes_.tolist(),
        p.target_precision,
        p.min_support,
    )
    policy = ActionPolicy(thresholds, p.target_precision, p.suggest_mass)
    return clf, policy, {"dropped_rare_classes": dropped, "temperature": clf.scaler_.temperature_}


def _links(config: TrainConfig, train: Sequence[Ticket], targets: Sequence[str]) -> list[LinkTable]:
    out = []
    for parent, child in config.policy.links:
        if parent not in targets or child not in targets:
            continue
        pairs = [
            (p, c)
            for p, c in zip(labels(train, parent), labels(train, child), strict=True)
            if p is not None and c is not None
        ]
        if not pairs:
            continue
        link = LinkTable(parent, child, config.policy.link_min_share).fit(
            *map(list, zip(*pairs, strict=True))
        )
        if link.active:
            out.append(link)
    return out


def _evaluate(
    config: TrainConfig,
    model: TriageModel,
    split: Split,
    test: FeatureInput,
    reports: dict[str, Any],
) -> tuple[dict[str, Any], dict[str, Any]]:
    from training.evaluate import evaluate_probabilities

    proba = model.predict_proba(test, consistent=True)
    raw = model.predict_proba(test, consistent=False)
    uncalibrated = model.uncalibrated_proba(test)
    metrics = evaluate_probabilities(model, split.test, proba, raw, uncalibrated)
    for target, extra in reports.items():
        metrics["targets"][target].update(extra)
    curves = {}
    for target, clf in model.classifiers.items():
        rows, y = _rows(split.test, target)
        curves[target] = {
            "classes": clf.classes_.tolist(),
            "y": clf.label_indices(y).tolist(),
            "proba": proba[target][rows],
            "proba_uncalibrated": uncalibrated[target][rows],
            "precision_coverage": precision_coverage_curve(
                proba[target][rows], clf.label_indices(y)
            ),
        }
    return metrics, curves


def _add_baselines(
    config: TrainConfig, metrics: dict[str, Any], split: Split, inputs: dict[str, FeatureInput]
) -> None:
    from triage.metrics import evaluate_target, majority_baseline

    tfidf = TicketFeaturizer(word=True, char=False, embeddings=False, meta=False).fit(
        inputs["train"]
    )
    X_train, X_test = tfidf.transform(inputs["train"]), tfidf.transform(inputs["test"])
    for target, report in metrics["targets"].items():
        rows, y = _rows(split.train, target)
        test_rows, y_test = _rows(split.test, target)
        lr = TargetClassifier("logreg", 1.0, None, 300, config.seed).fit(X_train[rows], y)
        base = evaluate_target(
            y_test, lr.uncalibrated_proba(X_test[test_rows]), lr.classes_.tolist()
        )
        report["baselines"] = {
            "majority": majority_baseline(y, y_test),
            "tfidf_lr": {"accuracy": base["accuracy"], "macro_f1": base["macro_f1"]},
        }


def build_bundle(result: TrainResult, out_dir: Path, version: str | None = None) -> Path:
    """Write `result` as a self-describing bundle (see `triage.bundle`); returns the folder."""
    from triage.bundle import write_bundle

    manifest = bundle_manifest(result, version)
    extra = None
    if result.retriever is not None:
        retriever = result.retriever

        def extra(folder: Path) -> None:
            retriever.save(folder / "retrieval")

    return write_bundle(Path(out_dir), result.model, manifest, extra)


def bundle_manifest(result: TrainResult, version: str | None = None) -> dict[str, Any]:
    """Everything the manifest says besides schema, libraries and checksums."""
    model = result.model
    return {
        "version": version or f"local-{result.data_fingerprint[:12]}",
        "targets": list(model.targets),
        "labels": {t: c.classes_.tolist() for t, c in model.classifiers.items()},
        "thresholds": {t: p.thresholds for t, p in model.policies.items()},
        "target_precision": result.config.policy.target_precision,
        "links": [
            {"parent": link.parent, "child": link.child, "allowed": link.allowed}
            for link in model.links
        ],
        "embedder": result.embedder or None,
        "features": result.config.features.model_dump(),
        "data_fingerprint": result.data_fingerprint,
        "split": {"method": result.split_method, **result.split_sizes},
        "metrics": result.summary_metrics(),
        "skipped_targets": result.skipped,
        "retrieval": "included"
        if result.retriever is not None
        else (result.retrieval_error or "absent"),
        "config": result.config.resolved(),
    }
