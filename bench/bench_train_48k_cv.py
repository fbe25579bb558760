"""Model choice for the 48k IT tickets by cross-validation on the training part only (never test).

Same split as `bench_train_48k.py` (stratified 80/20, seed 0); the 20% test part is dropped before
anything is fitted. The featuriser is fitted once on the training part (unsupervised), then each
candidate gets out-of-fold decision scores (`triage.classifiers.out_of_fold_scores`), a
temperature and per-class thresholds chosen on those scores. Printed per candidate, one JSON line:
OOF accuracy, macro-F1, and coverage at precision 0.90 with thresholds chosen on the same OOF
scores (in-sample, so optimistic, but the same for every candidate). Candidates:

    svc:C[:wEMB][:bal]   LinearSVC with C, embedding weight EMB (default 1), class_weight balanced
    lr:C[:wEMB]          LogisticRegression
    ens:A+B              mean of the calibrated probabilities of candidates A and B

    .venv/bin/python bench/bench_train_48k_cv.py --variant word_emb --embedder minilm \
        --cache /tmp/cache48k_onnx --candidates svc:0.25 svc:0.5 lr:10 ens:svc:0.5+lr:10
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
import scipy.sparse as sp
from bench_train_48k import DATA, VARIANTS, load_tickets
from results_log import emit_line


def _parse(spec: str) -> dict[str, Any]:
    kind, C, *rest = spec.split(":")
    out: dict[str, Any] = {
        "kind": {"svc": "linear_svc", "lr": "logreg"}[kind],
        "C": float(C),
        "weight": 1.0,
        "class_weight": None,
    }
    for part in rest:
        if part.startswith("w"):
            out["weight"] = float(part[1:])
        elif part == "bal":
            out["class_weight"] = "balanced"
    return out


def _scaled(X: sp.csr_matrix, emb_cols: slice, weight: float) -> sp.csr_matrix:
    if weight == 1.0:
        return X
    scale = np.ones(X.shape[1], dtype=np.float32)
    scale[emb_cols] = weight
    return sp.csr_matrix(X @ sp.diags(scale))


def _oof_proba(spec: str, X: sp.csr_matrix, emb_cols: slice, y: list[str], folds: int) -> Any:
    from triage.classifiers import TargetClassifier, out_of_fold_scores

    c = _parse(spec)
    Xw = _scaled(X, emb_cols, c["weight"])
    clf = TargetClassifier(c["kind"], c["C"], c["class_weight"], 2000, 0)
    clf.classes_ = np.unique(np.asarray(y))  # column order for the OOF scores; no full fit needed
    scores = out_of_fold_scores(clf, Xw, y, folds)
    clf.calibrate_scores(scores, y)
    return clf.scaler_.transform(scores), clf.classes_, clf.scaler_.temperature_


def _report(proba: Any, classes: Any, y: list[str]) -> dict[str, Any]:
    from triage.metrics import evaluate_target, label_indices
    from triage.policy import choose_thresholds

    thresholds = choose_thresholds(
        proba, label_indices(y, classes.tolist()), classes.tolist(), 0.9, 20
    )
    report = evaluate_target(y, proba, classes.tolist(), thresholds)
    return {
        "accuracy": round(report["accuracy"], 4),
        "macro_f1": round(report["macro_f1"], 4),
        "coverage_at_0.90": round(report["coverage"], 4),
        "auto_precision": round(report["auto_precision"], 4),
        "ece": round(report["ece"], 4),
    }


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--variant", default="word_emb", choices=sorted(VARIANTS))
    parser.add_argument("--embedder", default="minilm")
    parser.add_argument("--cache", default="/tmp/cache48k_onnx")
    parser.add_argument("--folds", type=int, default=3)
    parser.add_argument("--candidates", nargs="+", default=["svc:0.5"])
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args()
    if not DATA.is_file():
        print(f"skip: {DATA} not found (shared data absent)", file=sys.stderr)
        return 0
    from training.config import parse_config
    from training.datasets import labels, split_tickets
    from training.train import _featurizer, make_embedder
    from triage.features import feature_input

    tickets = load_tickets(DATA)
    config = parse_config(
        {
            "targets": ["category"],
            "embedding_cache": args.cache,
            "embedder": args.embedder,
            "features": VARIANTS[args.variant],
            "split": {"method": "stratified", "test_size": 0.2, "val_size": 0.15, "dedupe": False},
        }
    )
    split = split_tickets(tickets, config.split, config.seed, stratify="category")
    train = split.train + split.val  # the 80% training part; split.test is never used below
    y = [str(v) for v in labels(train, "category")]
    start = time.perf_counter()
    emb = make_embedder(config, None)
    vectors = emb.encode([t.text for t in train], batch_size=64) if emb is not None else None
    data = feature_input(train, vectors)
    featurizer = _featurizer(config).fit(data)
    X = featurizer.transform(data)
    words = len(featurizer.word_.vocabulary_) if featurizer.word_ is not None else 0
    chars = len(featurizer.char_.vocabulary_) if featurizer.char_ is not None else 0
    emb_cols = slice(words + chars, words + chars + featurizer.embedding_dim_)
    features_s = round(time.perf_counter() - start, 1)
    cache: dict[str, Any] = {}
    for spec in args.candidates:
        start = time.perf_counter()
        members = spec[4:].split("+") if spec.startswith("ens:") else [spec]
        temps = []
        for member in members:
            if member not in cache:
                cache[member] = _oof_proba(member, X, emb_cols, y, args.folds)
            temps.append(round(cache[member][2], 3))
        proba = np.mean([cache[m][0] for m in members], axis=0)
        line = {
            "candidate": spec,
            "variant": args.variant,
            "folds": args.folds,
            "n_train": len(y),
            **_report(proba, cache[members[0]][1], y),
            "temperature": temps,
            "seconds": round(time.perf_counter() - start, 1),
            "features_s": features_s,
        }
        emit_line(line, args.out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
