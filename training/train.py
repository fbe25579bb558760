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
import scipy.sparse as sp
from numpy.typing import NDArray

from training.config import TrainConfig
from training.datasets import Split, fingerprint, labels, split_tickets
from training.policy_fit import (
    HeldOut,
    HeldScores,
    fit_policies,
    held_out_of_fold,
    held_out_served,
    policy_manifest,
)
from triage.classifiers import TargetClassifier, out_of_fold_scores
from triage.embeddings import Embedder
from triage.errors import DataError
from triage.features import FeatureInput, TicketFeaturizer, feature_input
from triage.links import LinkTable
from triage.neighbours import EmbeddingNeighbours
from triage.policy import precision_coverage_curve
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

    def auto_summary(self) -> dict[str, Any]:
        """Per target on the test split, as served: auto coverage, auto precision with its
        Wilson 95% interval, the promise check, flagged classes; and the classes (or the whole
        target) that never auto-apply, as chosen on validation."""
        out: dict[str, Any] = {}
        policy = self.metrics.get("policy", {})
        for target, report in self.metrics.get("targets", {}).items():
            chosen = policy.get(target, {})
            out[target] = {
                "coverage": round(report["coverage"], 4),
                "auto_precision": _rounded(report.get("auto_precision")),
                "auto_precision_interval": [round(v, 4) for v in report["auto_precision_interval"]],
                "promise": report.get("promise"),
                "flagged_classes": report.get("flagged_classes", []),
                "never_auto": chosen.get("never_auto_target", False),
                "never_auto_classes": sorted(chosen.get("never_auto_classes", {})),
                "margin": _rounded(chosen.get("margin")),
            }
        return out

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
                if report.get(key) is not None:
                    flat[f"{target}.{key}"] = float(report[key])
            if report.get("auto_count"):
                low, high = report["auto_precision_interval"]
                flat[f"{target}.auto_precision_low"] = float(low)
                flat[f"{target}.auto_precision_high"] = float(high)
            for name, base in report.get("baselines", {}).items():
                for key, value in base.items():
                    flat[f"{target}.baseline_{name}.{key}"] = float(value)
        for name, rate in self.metrics.get("consistency", {}).items():
            flat[f"consistency.{name}"] = float(rate)
        return flat


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(float(value), 4)


def make_embedder(
    config: TrainConfig, embedder: Embedder | None, needed: bool | None = None
) -> Embedder | None:
    """The configured embedder (or the given one), wrapped in the on-disk cache when configured.

    None when not `needed` (default: when neither the features nor the familiarity guard use
    embeddings).
    """
    if needed is None:
        needed = config.features.embeddings or config.policy.familiarity_quantile is not None
    if not needed:
        return None
    base = embedder if embedder is not None else embedder_from_spec(config.embedder)
    if config.embedding_cache is None:
        return base
    from triage.embedding_cache import CachedEmbedder
    from triage.privacy.hashing import Pseudonymizer, load_secret

    keyer = Pseudonymizer(load_secret(Path(config.privacy.secret_file)))  # keyed cache keys
    return CachedEmbedder(base, Path(config.embedding_cache), keyer)


def trainable_targets(
    config: TrainConfig, tickets: Sequence[Ticket]
) -> tuple[list[str], dict[str, str]]:
    """Targets with enough labelled examples and two or more classes; why others are skipped."""
    keep: list[str] = []
    skipped: dict[str, str] = {}
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
    split = _training_split(config, tickets, targets)
    start = time.perf_counter()
    note("embedding")
    emb = make_embedder(config, embedder)
    inputs = _inputs(split, emb)
    _timed(timings, "embedding_s", start)
    start = time.perf_counter()
    note("features")
    featurizer = _featurizer(config).fit(inputs["train"])
    X = {name: featurizer.transform(data) for name, data in inputs.items() if len(data)}
    _timed(timings, "features_s", start)
    start = time.perf_counter()
    classifiers, reports, held_scores = {}, {}, {}
    for target in targets:
        note(f"fit {target}")
        clf, report, held_scores[target] = _fit_target(config, target, split, X)
        classifiers[target], reports[target] = clf, report
    note("policy")
    chooser = _chooser(config, split, inputs, featurizer, classifiers)
    policies, guard, policy_report = fit_policies(
        config.policy, chooser, _held_out(config, split, inputs, chooser, held_scores)
    )
    for target in targets:
        classifiers[target] = _refit_target(config, target, classifiers[target], split, X, reports)
    _timed(timings, "fit_s", start)
    rows = final_rows(config, split)
    links = _links(config, rows, targets)
    neighbours = _fit_neighbours(rows, _final_vectors(config, inputs), targets)
    model = TriageModel(featurizer, classifiers, policies, links, neighbours, guard)
    note("evaluate")
    metrics, curves = _evaluate(config, model, split, inputs["test"], reports)
    metrics["policy"] = policy_report
    if config.baselines:
        start = time.perf_counter()
        note("baselines")
        _add_baselines(config, metrics, split, inputs["test"], model)
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


def cross_fitting(config: TrainConfig) -> bool:
    """True when calibration and thresholds come from out-of-fold scores over the training part."""
    return config.model.calibration == "cross_fit"


def final_rows(config: TrainConfig, split: Split) -> list[Ticket]:
    """The tickets the final model (classifiers, link tables, in-run baselines) is fitted on.

    train + validation, except with `model.refit: false` (train only). With cross-fitting the
    validation part is already in `split.train` and `split.val` is empty.
    """
    if config.model.calibration == "validation":
        return list(split.train)
    return list(split.train) + list(split.val)


def _training_split(config: TrainConfig, tickets: Sequence[Ticket], targets: list[str]) -> Split:
    """The configured split; with cross-fitting the validation part joins training (val empty).

    The test part is the same either way (it is drawn first) and is only used by `_evaluate`.
    """
    split = split_tickets(tickets, config.split, config.seed, stratify=targets[0])
    if not cross_fitting(config):
        return split
    return Split(split.train + split.val, [], split.test, split.method, split.duplicates_removed)


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
) -> tuple[TargetClassifier, dict[str, Any], HeldScores | None]:
    """The target's classifier fitted on the train part and calibrated on held-out scores (the
    validation part, or out-of-fold scores with cross-fitting, which are returned too)."""
    rows, y = _rows(split.train, target)
    counts = Counter(y)
    kept = {c for c, n in counts.items() if n >= config.min_examples_per_class}
    dropped = sorted(set(counts) - kept)
    rows, y = _rows(split.train, target, kept)
    m = config.model
    clf = TargetClassifier(m.kind, m.C, m.class_weight, m.max_iter, config.seed).fit(
        X["train"][rows], y
    )
    fit_rows = len(y)
    if m.calibration == "cross_fit":
        # Held-out scores for every training row, from models that did not see the row; the
        # final model (fitted on all rows above) takes their temperature and thresholds.
        held_scores = out_of_fold_scores(clf, X["train"][rows], y, m.cross_fit_folds)
        y_held = y
    else:
        val_rows, y_held = _rows(split.val, target)
        held_scores = clf.decision_function(X["val"][val_rows])
    clf.calibrate_scores(held_scores, y_held)
    report = {
        "dropped_rare_classes": dropped,
        "temperature": clf.scaler_.temperature_,
        "calibration": m.calibration,
        "calibration_rows": len(y_held),
        "fit_rows": fit_rows,
    }
    return clf, report, ((rows, held_scores) if m.calibration == "cross_fit" else None)


def _refit_target(
    config: TrainConfig,
    target: str,
    clf: TargetClassifier,
    split: Split,
    X: dict[str, Any],
    reports: dict[str, Any],
) -> TargetClassifier:
    """With `model.refit` (calibration "refit"), the final classifier on train + validation."""
    if config.model.calibration != "refit":
        return clf
    kept = set(clf.classes_.tolist())
    rows, y = _rows(split.train, target, kept)
    final, reports[target]["fit_rows"] = _refit(clf, X, rows, y, *_rows(split.val, target, kept))
    return final


def _refit(
    calibrated: TargetClassifier,
    X: dict[str, Any],
    rows: NDArray[np.int64],
    y: list[str],
    val_rows: NDArray[np.int64],
    y_val: list[str],
) -> tuple[TargetClassifier, int]:
    """A clone of `calibrated` fitted on its train rows + the validation rows of its classes.

    It keeps `calibrated`'s temperature (and the caller its thresholds), chosen on the validation
    scores of the model that did not see them. Same feature space (the featuriser stays the one
    fitted on the train part) and the same classes: classes rarer than `min_examples_per_class`
    in the train part stay out, so every threshold still names a class of the final model.
    """
    if not len(val_rows):
        return calibrated, len(y)
    final = calibrated.clone().fit(
        sp.vstack([X["train"][rows], X["val"][val_rows]], format="csr"), y + y_val
    )
    final.scaler_ = calibrated.scaler_
    logger.info("refitted on %d train + %d validation rows", len(y), len(y_val))
    return final, len(y) + len(y_val)


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


def _chooser(
    config: TrainConfig,
    split: Split,
    inputs: dict[str, FeatureInput],
    featurizer: TicketFeaturizer,
    classifiers: dict[str, TargetClassifier],
) -> TriageModel:
    """The served path as it stands before any refit: classifiers, links and neighbours from
    the train part only, so validation rows are unseen by every piece that scores them."""
    targets = list(classifiers)
    neighbours = _fit_neighbours(split.train, inputs["train"].embeddings, targets)
    links = _links(config, split.train, targets)
    return TriageModel(featurizer, dict(classifiers), {}, links, neighbours)


def _held_out(
    config: TrainConfig,
    split: Split,
    inputs: dict[str, FeatureInput],
    chooser: TriageModel,
    held_scores: dict[str, HeldScores | None],
) -> HeldOut:
    """The served probabilities of rows the deciding models did not see: the validation part,
    or with cross-fitting every training row with its out-of-fold scores (then linked)."""
    if not cross_fitting(config):
        return held_out_served(chooser, split.val, inputs["val"])
    return held_out_of_fold(chooser, split.train, inputs["train"], held_scores)


def _final_vectors(
    config: TrainConfig, inputs: dict[str, FeatureInput]
) -> NDArray[np.float32] | None:
    """Embeddings of `final_rows`, in the same order (None without an embedder)."""
    train = inputs["train"].embeddings
    val = inputs["val"].embeddings
    if train is None or config.model.calibration == "validation" or val is None or not len(val):
        return train
    return np.vstack([train, val])


def _fit_neighbours(
    tickets: Sequence[Ticket], vectors: NDArray[np.float32] | None, targets: Sequence[str]
) -> EmbeddingNeighbours | None:
    """Exact kNN over the given training tickets' vectors with their labels per target (the
    model's `neighbours`: familiarity guard, neighbour votes); None without vectors."""
    if vectors is None or not len(vectors):
        return None
    return EmbeddingNeighbours().fit(vectors, {t: labels(tickets, t) for t in targets})


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
    unfamiliar = model.unfamiliar(test)
    metrics = evaluate_probabilities(model, split.test, proba, raw, uncalibrated, unfamiliar)
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
    config: TrainConfig,
    metrics: dict[str, Any],
    split: Split,
    test: FeatureInput,
    model: TriageModel,
) -> None:
    """In-run majority and TF-IDF + LR baselines, fitted on the same rows as the final model.

    Same tickets (`final_rows`) and, per target, the same classes (rare classes dropped from
    the final model are dropped here too); evaluated on every labelled test ticket, as ours.
    """
    from triage.metrics import evaluate_target, majority_baseline

    fit_part = final_rows(config, split)
    fit_input = feature_input(fit_part)  # word TF-IDF only: no embeddings needed
    tfidf = TicketFeaturizer(word=True, char=False, embeddings=False, meta=False).fit(fit_input)
    X_train = tfidf.transform(fit_input)
    X_test = tfidf.transform(test)
    for target, report in metrics["targets"].items():
        rows, y = _rows(fit_part, target, set(model.classifiers[target].classes_.tolist()))
        test_rows, y_test = _rows(split.test, target)
        lr = TargetClassifier("logreg", 1.0, None, 300, config.seed).fit(X_train[rows], y)
        base = evaluate_target(
            y_test, lr.uncalibrated_proba(X_test[test_rows]), lr.classes_.tolist()
        )
        report["baselines"] = {
            "majority": majority_baseline(y, y_test),
            "tfidf_lr": {"accuracy": base["accuracy"], "macro_f1": base["macro_f1"]},
        }
        report["baseline_fit_rows"] = len(y)


def build_bundle(result: TrainResult, out_dir: Path, version: str | None = None) -> Path:
    """Write `result` as a self-describing bundle (see `triage.bundle`); returns the folder."""
    from triage.bundle import write_bundle

    manifest = bundle_manifest(result, version)
    extra = None
    if result.retriever is not None:
        retriever = result.retriever

        def extra(folder: Path) -> None:
            retriever.save(folder / "retrieval", checksums=False)  # the manifest covers it

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
        "policy": policy_manifest(model),
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
