"""Per-target linear classifiers, blended with neighbour votes when trained so, calibrated."""

from __future__ import annotations

import logging
from collections.abc import Sequence

import numpy as np
import scipy.sparse as sp
from numpy.typing import NDArray

from triage.blend import VoteBlend
from triage.calibration import TemperatureScaler, softmax
from triage.errors import ConfigError, DataError

logger = logging.getLogger(__name__)

KINDS = ("sgd_log", "logreg", "linear_svc")

Votes = NDArray[np.float64] | None
"""Neighbour vote shares (n, k) in `classes_` order, for a classifier with a blend; else None."""


class TargetClassifier:
    """A linear model for one target whose `predict_proba` is calibrated on held-out data.

    `fit(X (n, f), y labels)` fits the linear model; `calibrate(X_val, y_val)` fits a temperature
    on its decision scores. `classes_` are the labels (sorted strings); `predict_proba` -> (n, k).
    With a `blend_` (a `VoteBlend`, set by training) the logits blend the linear scores with the
    neighbours' vote shares, and every scoring method needs those `votes`.

    Kinds: `sgd_log` (logistic loss by SGD, `epochs` passes over the data, L2 strength
    alpha = 1 / (C * rows), the objective of LogisticRegression(C)), `logreg` and `linear_svc`
    (`C`, `max_iter`).
    """

    blend_: VoteBlend | None = None  # class default: no blend (and bundles from before 2026-12)
    text_only_: bool = False
    """True when validation chose the plain text model alone (`triage.text_model`): the logits
    are its log-probabilities and the linear model is not used."""
    choice_: str = "scores"
    """What the served logits weigh (`triage.blend.PARTS` joined by '+'), chosen on validation."""

    def __init__(
        self,
        kind: str = "linear_svc",
        C: float = 1.0,
        class_weight: str | None = None,
        max_iter: int = 2000,
        random_state: int = 0,
        epochs: int = 30,
    ) -> None:
        self.kind = kind
        self.C = C
        self.class_weight = class_weight
        self.max_iter = max_iter
        self.random_state = random_state
        self.epochs = epochs

    def _estimator(self, rows: int) -> object:
        from sklearn.linear_model import LogisticRegression, SGDClassifier
        from sklearn.svm import LinearSVC

        if self.kind == "sgd_log":
            # A fixed number of epochs (tol=None) makes the fit's cost predictable and, with the
            # seed, deterministic. alpha from C keeps the regularisation right for any data size
            # (measured: 1e-5 best at 26k rows, 1e-4 at 1.4k-3.5k rows; C = 4 is both).
            return SGDClassifier(
                loss="log_loss",
                alpha=1.0 / (self.C * max(rows, 1)),
                class_weight=self.class_weight,
                max_iter=self.epochs,
                tol=None,
                random_state=self.random_state,
            )
        if self.kind == "logreg":
            return LogisticRegression(
                C=self.C,
                class_weight=self.class_weight,
                max_iter=self.max_iter,
                random_state=self.random_state,
            )
        if self.kind == "linear_svc":
            return LinearSVC(
                C=self.C,
                class_weight=self.class_weight,
                max_iter=self.max_iter,
                random_state=self.random_state,
            )
        raise ConfigError(f"classifier kind {self.kind!r} is unknown; use one of {KINDS}")

    def fit(self, X: sp.spmatrix, y: Sequence[str]) -> TargetClassifier:
        labels = np.asarray([str(v) for v in y])
        classes = np.unique(labels)
        if len(classes) < 2:
            raise DataError(
                f"only one class ({classes[0] if len(classes) else 'none'}) in the training data; "
                "a classifier needs at least two labels: drop this target from `targets`"
            )
        self.classes_ = classes
        self.estimator_ = self._estimator(len(labels))
        self.estimator_.fit(X, labels)  # type: ignore[attr-defined]
        self.scaler_ = TemperatureScaler().fit(
            np.zeros((0, len(classes))), np.zeros(0, dtype=np.int64)
        )
        self.blend_ = None
        return self

    def decision_function(self, X: sp.spmatrix) -> NDArray[np.float64]:
        """Raw scores of shape (n, k); binary models are expanded to two columns."""
        if X.shape[0] == 0:
            return np.zeros((0, len(self.classes_)), dtype=np.float64)
        scores = _linear_scores(self.estimator_, X)
        if scores.ndim == 1:
            scores = np.column_stack([-scores / 2, scores / 2])
        return scores

    @property
    def uses_text(self) -> bool:
        """True when the logits need the plain text model's log-probabilities (`text`)."""
        return self.text_only_ or (self.blend_ is not None and self.blend_.uses_text)

    def logits(
        self, X: sp.spmatrix, votes: Votes = None, text: Votes = None
    ) -> NDArray[np.float64]:
        """What the temperature scales, (n, k): the linear scores, their blend with votes (and
        the text model's log-probabilities `text` (n, k)), or `text` alone (`text_only_`)."""
        if self.uses_text and text is None:
            raise ConfigError(
                "this classifier weighs the plain text model: pass `text` "
                "(TriageModel.predict_proba computes it from the model's text model)"
            )
        if self.text_only_ and text is not None:
            return text
        scores = self.decision_function(X)
        blend = self.blend_
        if blend is None:
            return scores
        if votes is None:
            raise ConfigError(
                "this classifier blends neighbour votes: pass `votes` "
                "(TriageModel.predict_proba computes them from the model's neighbours)"
            )
        return blend.logits(scores, votes, text)

    def calibrate(self, X: sp.spmatrix, y: Sequence[str], votes: Votes = None) -> TargetClassifier:
        """Fit the temperature on held-out rows whose label is known to the model."""
        return self.calibrate_scores(self.logits(X, votes), y)

    def calibrate_scores(self, scores: NDArray[np.float64], y: Sequence[str]) -> TargetClassifier:
        """Fit the temperature on held-out logits (n, k) in `classes_` order.

        The logits may come from this model on held-out rows, from `out_of_fold_scores`, or
        from a cross-fitted blend (`triage.blend.cross_fitted_logits`).
        """
        index = self.label_indices(y)
        keep = index >= 0
        if not keep.any():
            logger.warning("no held-out rows with known labels; probabilities stay uncalibrated")
            return self
        self.scaler_ = TemperatureScaler().fit(scores[keep], index[keep])
        logger.info("calibrated temperature %.3f on %d rows", self.scaler_.temperature_, keep.sum())
        return self

    def clone(self) -> TargetClassifier:
        """An unfitted classifier with the same hyperparameters."""
        return TargetClassifier(
            self.kind,
            self.C,
            self.class_weight,
            self.max_iter,
            self.random_state,
            self.epochs,
        )

    def predict_proba(
        self, X: sp.spmatrix, votes: Votes = None, text: Votes = None
    ) -> NDArray[np.float64]:
        """Calibrated probabilities (n, k), rows sum to 1, columns in `classes_` order."""
        return self.scaler_.transform(self.logits(X, votes, text))

    def uncalibrated_proba(
        self, X: sp.spmatrix, votes: Votes = None, text: Votes = None
    ) -> NDArray[np.float64]:
        """Softmax of the logits (temperature 1), to measure what calibration buys."""
        return softmax(self.logits(X, votes, text))

    def predict(self, X: sp.spmatrix, votes: Votes = None, text: Votes = None) -> NDArray[np.str_]:
        labels: NDArray[np.str_] = self.classes_[self.logits(X, votes, text).argmax(axis=1)]
        return labels

    def label_indices(self, y: Sequence[str]) -> NDArray[np.int64]:
        """Index of each label in `classes_`, -1 for labels the model never saw."""
        lookup = {c: i for i, c in enumerate(self.classes_.tolist())}
        return np.asarray([lookup.get(str(v), -1) for v in y], dtype=np.int64)


def out_of_fold_scores(
    model: TargetClassifier, X: sp.spmatrix, y: Sequence[str], folds: int
) -> NDArray[np.float64]:
    """Decision scores (n, k) of every row from a clone fitted on the other folds (cross-fitting).

    `model` must be fitted (its `classes_` give the column order); it is not changed. Folds are
    stratified and shuffled with `model.random_state`, and never more than the rarest class has
    rows, so each fold model normally sees every class; a class a fold model did not see gets
    that row's lowest score.
    """
    from sklearn.model_selection import StratifiedKFold

    labels = np.asarray([str(v) for v in y])
    rarest = int(np.unique(labels, return_counts=True)[1].min())
    n_splits = max(2, min(folds, rarest))
    if n_splits < folds:
        logger.info("cross-fitting with %d folds (rarest class has %d rows)", n_splits, rarest)
    splitter = StratifiedKFold(n_splits, shuffle=True, random_state=model.random_state)
    scores = np.empty((len(labels), len(model.classes_)), dtype=np.float64)
    for fit_rows, held_rows in splitter.split(np.zeros(len(labels)), labels):
        part = model.clone().fit(X[fit_rows], labels[fit_rows])
        part_scores = part.decision_function(X[held_rows])
        columns = model.label_indices(part.classes_.tolist())
        held = np.repeat(part_scores.min(axis=1, keepdims=True), len(model.classes_), axis=1)
        held[:, columns] = part_scores
        scores[held_rows] = held
    return scores


def _linear_scores(estimator: object, X: sp.spmatrix) -> NDArray[np.float64]:
    """`X @ coef_.T + intercept_` row by row, as (n, k), or (n,) for a binary model.

    Same values as sklearn's `decision_function` (up to float rounding) without its per-call
    validation; only the columns a row uses are read, whatever the memory order of `coef_`
    (never copy it: it is 20-80 MB for a 500k-feature model).
    """
    coef = np.asarray(estimator.coef_)  # type: ignore[attr-defined]
    intercept = np.asarray(estimator.intercept_, dtype=np.float64)  # type: ignore[attr-defined]
    X = sp.csr_matrix(X)
    if X.shape[1] != coef.shape[1]:
        raise ConfigError(
            f"{X.shape[1]} features but the classifier was trained on {coef.shape[1]}; "
            "featurise with the bundle's own featuriser"
        )
    scores = np.empty((X.shape[0], coef.shape[0]), dtype=np.float64)
    indptr, indices, data = X.indptr, X.indices, X.data.astype(np.float64, copy=False)
    for row in range(X.shape[0]):
        cols = slice(indptr[row], indptr[row + 1])
        scores[row] = coef[:, indices[cols]] @ data[cols]
    scores += intercept
    return scores[:, 0] if coef.shape[0] == 1 else scores
