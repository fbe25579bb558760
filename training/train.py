"""Pure training (no MLflow): tickets in, a calibrated `TriageModel` with its evaluation out."""

from __future__ import annotations

import logging
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np
import scipy.sparse as sp
from numpy.typing import NDArray

from training.candidates import HeldInputs, choose_served
from training.config import TrainConfig
from training.datasets import Split, fingerprint, labels, split_tickets
from training.held_out import HeldOutVotes
from training.policy_fit import (
    HeldOut,
    HeldScores,
    fit_policies,
    held_out_of_fold,
    policy_manifest,
)
from triage.calibration import softmax
from triage.classifiers import TargetClassifier, out_of_fold_scores
from triage.embeddings import Embedder
from triage.errors import DataError
from triage.features import FeatureInput, TicketFeaturizer, feature_input
from triage.guards import known_word_counts
from triage.links import LinkTable
from triage.neighbours import EmbeddingNeighbours
from triage.policy import precision_coverage_curve
from triage.schema import Ticket
from triage.triager import Found, TriageModel, embedder_from_spec

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
    baseline: Any = None
    """The in-run `training.baseline.TextBaseline`, saved into the bundle for `triage evaluate`."""

    def auto_summary(self) -> dict[str, Any]:
        """Per target on the test split, as served: auto coverage, auto precision with its
        Wilson 95% interval, the promise check, what the autos were worth per ticket at the
        policy's cost ratio, flagged classes; and the classes (or the whole
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
                "worth_per_ticket": _rounded(report.get("worth_per_ticket")),
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
                "worth_per_ticket",
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

    def served_summary(self) -> dict[str, Any]:
        """Per target, what is served (`training.candidates`: a blend, the plain text model
        `text`, or the linear `scores`) and the held-out accuracy / macro-F1 it was chosen on."""
        targets = self.metrics.get("targets", {})
        return {
            t: targets.get(t, {}).get("selection", {"served": clf.choice_})
            for t, clf in self.model.classifiers.items()
        }

    def baseline_summary(self) -> dict[str, dict[str, dict[str, float]]]:
        """Per target, the product next to the in-run baselines on the same test tickets."""
        out = {}
        for target, report in self.metrics.get("targets", {}).items():
            side = {"product": {k: round(float(report[k]), 4) for k in ("accuracy", "macro_f1")}}
            for name, base in report.get("baselines", {}).items():
                side[name] = {k: round(float(v), 4) for k, v in base.items()}
            out[target] = side
        return out


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(float(value), 4)


def make_embedder(
    config: TrainConfig, embedder: Embedder | None, needed: bool | None = None
) -> Embedder | None:
    """The configured embedder (or the given one), wrapped in the on-disk cache when configured.

    None when not `needed` (default: when the features, the neighbour votes or the familiarity
    guard use embeddings).
    """
    if not (uses_embeddings(config) if needed is None else needed):
        return None
    base = embedder if embedder is not None else embedder_from_spec(config.embedder)
    if config.embedding_cache is None:
        return base
    from triage.embedding_cache import CachedEmbedder
    from triage.privacy.hashing import Pseudonymizer, load_secret

    keyer = Pseudonymizer(load_secret(Path(config.privacy.secret_file)))  # keyed cache keys
    return CachedEmbedder(base, Path(config.embedding_cache), keyer)


def uses_embeddings(config: TrainConfig) -> bool:
    """True when the model reads sentence embeddings (as features, for neighbour votes or for
    the familiarity guard)."""
    return (
        config.features.embeddings
        or config.model.neighbours > 0
        or config.policy.familiarity_quantile is not None
    )


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


SideWork = Callable[[Embedder | None], None]
"""Work that needs neither the model nor the baseline (the pipeline's retrieval index), given the
run's embedder: `train` runs it once, while it would otherwise wait for the baseline's process."""


def train(
    config: TrainConfig,
    tickets: Sequence[Ticket],
    *,
    embedder: Embedder | None = None,
    progress: Progress | None = None,
    side_work: SideWork | None = None,
) -> TrainResult:
    """Split, featurise, fit, calibrate, choose thresholds, evaluate on the held-out test split.

    The in-run baseline (`config.baselines`) is fitted alongside, in a second process on large
    data (`training.baseline.BaselineJob`); `side_work` runs while this process would wait for it
    (or at the end without one).
    """
    note = progress or (lambda step: None)
    targets, skipped = trainable_targets(config, tickets)
    split = _training_split(config, tickets, targets)
    with _baseline_job(config, split, targets) as job:
        waits = _Waits(job, side_work, note)
        return _train(config, tickets, split, (targets, skipped), embedder, waits)


class _Waits:
    """The baseline job as the trainer sees it: the side work fills the first wait for it, and
    what each wait cost goes into the run's timings (wall seconds; the job's CPU and memory)."""

    def __init__(self, job: Any, side_work: SideWork | None, note: Progress) -> None:
        self.job, self.note = job, note
        self._side = side_work
        self.timings: dict[str, float] = {}

    def side(self, emb: Embedder | None) -> None:
        """Run the side work unless it ran already."""
        work, self._side = self._side, None
        if work is not None:
            start = time.perf_counter()
            work(emb)
            _timed(self.timings, "side_work_s", start)

    def start_final(self) -> None:
        """Start the baseline's final fit beside the held one (`BaselineJob.start_final`)."""
        if self.job is not None:
            self.job.start_final()

    def held(self, emb: Embedder | None) -> Any:
        """The train-part baseline (None without a job); side work first if it is not ready."""
        if self.job is None:
            return None
        if not self.job.held_ready():
            self.side(emb)
        start = time.perf_counter()
        held = self.job.held_model()
        _timed(self.timings, "held_baseline_wait_s", start)
        return held

    def final(self, emb: Embedder | None) -> Any:
        """The final-rows baseline (None without a job), after the side work."""
        self.side(emb)
        if self.job is None:
            return None
        start = time.perf_counter()
        self.note("baselines")
        baseline, cost = self.job.result()
        self.timings.update({f"baseline_{k}": v for k, v in cost.items()})
        _timed(self.timings, "baselines_wait_s", start)
        return baseline


@dataclass
class _Fitted:
    """The product's parts as `_fit` leaves them (before the served text model is attached)."""

    featurizer: TicketFeaturizer
    classifiers: dict[str, TargetClassifier]
    policies: dict[str, Any]
    neighbours: EmbeddingNeighbours | None
    guard: Any
    reports: dict[str, Any]
    policy_report: dict[str, Any]
    test_features: Any = None
    """The featuriser's matrix of the test part (None when it is empty), made with the others."""


def _train(
    config: TrainConfig,
    tickets: Sequence[Ticket],
    split: Split,
    trainable: tuple[list[str], dict[str, str]],
    embedder: Embedder | None,
    waits: _Waits,
) -> TrainResult:
    targets, skipped = trainable
    timings = waits.timings
    emb, inputs, fitted = _fit(config, split, targets, embedder, waits)
    links = _links(config, final_rows(config, split), targets)
    model = TriageModel(
        fitted.featurizer,
        fitted.classifiers,
        fitted.policies,
        links,
        fitted.neighbours,
        fitted.guard,
    )
    needs_text = any(c.uses_text for c in fitted.classifiers.values())
    test = (inputs["test"], fitted.test_features)
    evaluate = partial(_evaluate, config, model, split, test, fitted.reports)
    # the product's test figures need the baseline only where it is served: else measured
    # while the baseline's process still fits
    evaluated = None if needs_text else _evaluated(evaluate, waits)
    baseline = waits.final(emb)
    model.text_model = baseline if needs_text else None
    metrics, curves = evaluated or _evaluated(evaluate, waits)
    metrics["policy"] = fitted.policy_report
    metrics["served"] = {t: clf.choice_ for t, clf in fitted.classifiers.items()}
    if baseline is not None:
        _add_baselines(metrics, split, waits.job, baseline)
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
        baseline=baseline,
    )


def _evaluated(
    evaluate: Callable[[], tuple[dict[str, Any], dict[str, Any]]], waits: _Waits
) -> tuple[dict[str, Any], dict[str, Any]]:
    waits.note("evaluate")
    start = time.perf_counter()
    out = evaluate()
    _timed(waits.timings, "evaluate_s", start)
    return out


def _fit(
    config: TrainConfig,
    split: Split,
    targets: list[str],
    embedder: Embedder | None,
    waits: _Waits,
) -> tuple[Embedder | None, dict[str, FeatureInput], _Fitted]:
    """Embed, featurise and fit the product (classifiers, blends, policy, refit): the run's
    embedder, its feature inputs per part and the fitted parts."""
    timings, note = waits.timings, waits.note
    start = time.perf_counter()
    note("embedding")
    emb = make_embedder(config, embedder)
    inputs = _inputs(split, emb)
    _timed(timings, "embedding_s", start)
    start = time.perf_counter()
    note("features")
    featurizer = _featurizer(config)
    X = {"train": featurizer.fit_transform(inputs["train"])}
    X.update(
        {name: featurizer.transform(inputs[name]) for name in ("val", "test") if len(inputs[name])}
    )
    _timed(timings, "features_s", start)
    # now, not earlier: beside the held fit while this process featurised, a third process on
    # 2 cores slowed the held fit that the next step waits for
    waits.start_final()
    start = time.perf_counter()
    rows = final_rows(config, split)
    neighbours = _fit_neighbours(config, rows, _final_vectors(config, inputs), targets)
    val_in_pool = config.model.calibration != "validation"
    # the train-part baseline is waited for where first needed: after each target's own fit,
    # votes and refit (`_fit_target`), which run meanwhile
    held = HeldOutVotes(
        split, inputs, _voting(config, neighbours), val_in_pool, partial(waits.held, emb)
    )
    classifiers, reports, held_scores, refitted = {}, {}, {}, {}
    for target in targets:
        note(f"fit {target}")
        clf, report, held_scores[target], refitted[target] = _fit_target(
            config, target, split, X, held
        )
        classifiers[target], reports[target] = clf, report
    note("policy")
    chooser = _chooser(config, split, inputs, featurizer, classifiers, held.baseline)
    policies, guard, policy_report = fit_policies(
        config.policy, chooser, _held_out(config, split, (inputs, X), chooser, held_scores)
    )
    for target in targets:
        classifiers[target] = _refit_target(classifiers[target], refitted[target], reports[target])
    _timed(timings, "fit_s", start)
    fitted = _Fitted(
        featurizer, classifiers, policies, neighbours, guard, reports, policy_report, X.get("test")
    )
    return emb, inputs, fitted


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
        sublinear_tf=f.sublinear_tf,
        cues=f.cues,
    )


def _rows(
    tickets: Sequence[Ticket], target: str, allowed: set[str] | None = None
) -> tuple[NDArray[np.int64], list[str]]:
    values = labels(tickets, target)
    rows = [i for i, v in enumerate(values) if v is not None and (allowed is None or v in allowed)]
    return np.asarray(rows, dtype=np.int64), [str(values[i]) for i in rows]


def _kept_classes(config: TrainConfig, train: Sequence[Ticket], target: str) -> set[str]:
    """Classes with at least `min_examples_per_class` tickets in the train part."""
    counts = Counter(v for v in labels(train, target) if v is not None)
    return {str(c) for c, n in counts.items() if n >= config.min_examples_per_class}


def _classifier(config: TrainConfig) -> TargetClassifier:
    m = config.model
    return TargetClassifier(m.kind, m.C, m.class_weight, m.max_iter, config.seed, m.epochs)


def _fit_target(
    config: TrainConfig, target: str, split: Split, X: dict[str, Any], held: HeldOutVotes
) -> tuple[TargetClassifier, dict[str, Any], HeldScores, Refitted | None]:
    """The target's classifier fitted on the train part, its neighbour-vote blend and
    calibration fitted on held-out rows (the validation part, or out-of-fold scores with
    cross-fitting); returns those rows with their honest (cross-fitted) held-out logits too,
    and with `model.refit` the final classifier fitted on train + validation (`_refit`)."""
    kept = _kept_classes(config, split.train, target)
    dropped = sorted({str(v) for v in labels(split.train, target) if v is not None} - kept)
    rows, y = _rows(split.train, target, kept)
    m = config.model
    clf = _classifier(config).fit(X["train"][rows], y)
    fit_rows = len(y)
    if m.calibration == "cross_fit":
        # Held-out scores for every training row, from models that did not see the row; the
        # final model (fitted on all rows above) takes their temperature and thresholds.
        held_scores = out_of_fold_scores(clf, X["train"][rows], y, m.cross_fit_folds)
        held_part, held_rows, y_held = "train", rows, y
    else:
        held_rows, y_held = _rows(split.val, target)
        held_scores = clf.decision_function(X["val"][held_rows])
        held_part = "val"
    classes = clf.classes_.tolist()
    votes = held.votes(held_part, held_rows, target, classes)
    # before the text model's scores, which may wait for the baseline's process: the refit
    # needs nothing that follows (a text-only choice leaves it unused)
    refitted = _refit(config, clf, split, X, target)
    # the baseline saw the train part: only validation rows give it honest held-out scores
    text = held.text(held_part, held_rows, target, classes) if held_part == "val" else None
    inputs = HeldInputs(held_scores, votes, text, clf.label_indices(y_held))
    held_scores, choice = choose_served(clf, inputs, config.seed, m.prior_shifts, m.class_biases)
    clf.calibrate_scores(held_scores, y_held)
    report = {
        "served": choice["served"],
        "selection": choice,
        "dropped_rare_classes": dropped,
        "temperature": clf.scaler_.temperature_,
        "calibration": m.calibration,
        "calibration_rows": len(y_held),
        "fit_rows": fit_rows,
        "neighbour_blend": clf.blend_ is not None,
        "prior_shift": None if clf.blend_ is None else clf.blend_.prior_strength_,
    }
    return clf, report, (held_rows, held_scores), refitted


Refitted = tuple[TargetClassifier, int]
"""A clone of a target's classifier fitted on train + validation rows, and how many rows."""


def _refit(
    config: TrainConfig, clf: TargetClassifier, split: Split, X: dict[str, Any], target: str
) -> Refitted | None:
    """With `model.refit` (calibration "refit"), a clone of `clf` fitted on its train rows + the
    validation rows of its classes; None otherwise or without validation rows.

    Same feature space (the featuriser stays the one fitted on the train part) and the same
    classes: classes rarer than `min_examples_per_class` in the train part stay out, so every
    threshold still names a class of the final model. `_refit_target` gives it the calibrated
    model's temperature and vote blend (and the caller its thresholds), chosen on the validation
    scores of the model that did not see them.
    """
    if config.model.calibration != "refit":
        return None
    kept = set(clf.classes_.tolist())
    rows, y = _rows(split.train, target, kept)
    val_rows, y_val = _rows(split.val, target, kept)
    if not len(val_rows):
        return None
    final = clf.clone().fit(
        sp.vstack([X["train"][rows], X["val"][val_rows]], format="csr"), y + y_val
    )
    return final, len(y) + len(y_val)


def _refit_target(
    calibrated: TargetClassifier, refitted: Refitted | None, report: dict[str, Any]
) -> TargetClassifier:
    """The served classifier: the refitted one with `calibrated`'s temperature, blend and choice
    (`_refit`), or `calibrated` itself without a refit or when the text model alone is served
    (the served text model is already the one refitted)."""
    if refitted is None or calibrated.text_only_:
        return calibrated
    final, report["fit_rows"] = refitted
    final.scaler_ = calibrated.scaler_
    final.blend_ = calibrated.blend_
    final.choice_ = calibrated.choice_
    logger.info("refitted on %d train + validation rows", report["fit_rows"])
    return final


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
    text_model: Any = None,
) -> TriageModel:
    """The served path as it stands before any refit: classifiers, links, neighbours and the
    text model from the train part only, so validation rows are unseen by every piece that
    scores them."""
    targets = list(classifiers)
    neighbours = _fit_neighbours(config, split.train, inputs["train"].embeddings, targets)
    links = _links(config, split.train, targets)
    return TriageModel(featurizer, dict(classifiers), {}, links, neighbours, None, text_model)


def _held_out(
    config: TrainConfig,
    split: Split,
    parts: tuple[dict[str, FeatureInput], dict[str, Any]],
    chooser: TriageModel,
    held_scores: dict[str, HeldScores],
) -> HeldOut:
    """The served probabilities of rows the deciding models did not see: the validation part,
    or with cross-fitting every training row with its out-of-fold scores (then linked).

    Each target's labelled held-out rows take their cross-fitted logits (`_fit_target`): the
    vote blend was fitted on these rows, so its own logits on them would flatter it.
    """
    inputs, X = parts
    if cross_fitting(config):
        oof: dict[str, HeldScores | None] = dict(held_scores)
        return held_out_of_fold(chooser, split.train, inputs["train"], oof)
    data = inputs["val"]
    found = chooser.search(data)
    proba = _probabilities(chooser, data, X.get("val"), found)[0]  # val features made already
    for target, (rows, logits) in held_scores.items():
        proba[target][rows] = chooser.classifiers[target].scaler_.transform(logits)
    known = known_word_counts(chooser.featurizer, data.texts)
    return HeldOut(split.val, chooser.link(proba), chooser.nearest_similarity(data, found), known)


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
    config: TrainConfig,
    tickets: Sequence[Ticket],
    vectors: NDArray[np.float32] | None,
    targets: Sequence[str],
) -> EmbeddingNeighbours | None:
    """Exact kNN over the given training tickets' vectors with their labels per target (the
    model's `neighbours`: familiarity guard, neighbour votes); None without vectors."""
    if vectors is None or not len(vectors):
        return None
    k = config.model.neighbours or EmbeddingNeighbours().k
    return EmbeddingNeighbours(k=k).fit(vectors, {t: labels(tickets, t) for t in targets})


def _voting(
    config: TrainConfig, neighbours: EmbeddingNeighbours | None
) -> EmbeddingNeighbours | None:
    """The neighbours whose votes the classifiers blend (None with `model.neighbours: 0`)."""
    return neighbours if config.model.neighbours > 0 else None


def _evaluate(
    config: TrainConfig,
    model: TriageModel,
    split: Split,
    test_part: tuple[FeatureInput, Any],
    reports: dict[str, Any],
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The served model on the test part (its input and, when made already, its features)."""
    from training.evaluate import evaluate_probabilities

    test, X = test_part
    found = model.search(test)  # one neighbour search for the votes and the guard
    raw, uncalibrated = _probabilities(model, test, X, found)
    proba = model.link(raw)  # = model.predict_proba(test, consistent=True)
    unfamiliar = model.unfamiliar(test, found)
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


def _probabilities(
    model: TriageModel, data: FeatureInput, X: Any = None, found: Found | None = None
) -> tuple[dict[str, NDArray[np.float64]], dict[str, NDArray[np.float64]]]:
    """Per target, `model.predict_proba(data, consistent=False)` and `uncalibrated_proba(data)`
    (n, k) from one featurisation (or `X`, the featuriser's matrix of `data` when the caller has
    it), one neighbour search (or `found`, `model.search(data)`) and one text-model pass; each
    of the two calls makes its own, and on the 48k test part that was most of the evaluation's
    time."""
    X = model.featurizer.transform(data) if X is None else X
    votes, text = model.votes(data, found), model.text_logs(data)
    raw, uncalibrated = {}, {}
    for target, clf in model.classifiers.items():
        logits = clf.logits(X, votes[target], text[target])
        raw[target] = clf.scaler_.transform(logits)  # = clf.predict_proba
        uncalibrated[target] = softmax(logits)  # = clf.uncalibrated_proba
    return raw, uncalibrated


@contextmanager
def _baseline_job(config: TrainConfig, split: Split, targets: list[str]) -> Iterator[Any]:
    """The in-run TF-IDF + LR baseline (`training.baseline`), started on the final model's rows
    and, per target, its classes (rare classes dropped from the final model are dropped here);
    None when `config.baselines` is off. Its worker process is stopped on the way out."""
    if not config.baselines:
        yield None
        return
    from training.baseline import BaselineJob

    fit_part = final_rows(config, split)
    restricted, restricted_kept = {}, {}
    for target in targets:
        kept = restricted_kept[target] = _kept_classes(config, split.train, target)
        restricted[target] = [v if v in kept else None for v in labels(fit_part, target)]
    held = None
    if config.model.calibration != "cross_fit":  # validation rows to choose the served model on
        train_labels = {
            t: [v if v in restricted_kept[t] else None for v in labels(split.train, t)]
            for t in targets
        }
        held = ([t.text for t in split.train], train_labels)
    job = BaselineJob([t.text for t in fit_part], restricted, held)
    try:
        yield job
    finally:
        job.close()


def _add_baselines(metrics: dict[str, Any], split: Split, job: Any, baseline: Any) -> None:
    """Majority and TF-IDF + LR baselines, fitted on the same rows and classes as the final model
    and evaluated on every labelled test ticket, as ours (`baseline` is the job's result, which
    the bundle keeps so `triage evaluate` can score it too)."""
    from training.baseline import NAME, baseline_scores
    from triage.metrics import majority_baseline

    fit_labels = job.labels
    test_labels = {t: labels(split.test, t) for t in fit_labels}
    scores = baseline_scores(baseline, [t.text for t in split.test], test_labels)
    for target, report in metrics["targets"].items():
        y = [v for v in fit_labels[target] if v is not None]
        y_test = [str(v) for v in test_labels[target] if v is not None]
        report["baselines"] = {"majority": majority_baseline(y, y_test)}
        if target in scores:
            report["baselines"][NAME] = scores[target]
        report["baseline_fit_rows"] = len(y)


def build_bundle(result: TrainResult, out_dir: Path, version: str | None = None) -> Path:
    """Write `result` as a self-describing bundle (see `triage.bundle`); returns the folder."""
    from training.baseline import save_baseline
    from triage.bundle import write_bundle

    manifest = bundle_manifest(result, version)

    def extra(folder: Path) -> None:
        if result.retriever is not None:
            result.retriever.save(folder / "retrieval", checksums=False)  # the manifest covers it
        if result.baseline is not None:
            save_baseline(result.baseline, folder)

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
        "served": result.served_summary(),
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
