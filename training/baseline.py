"""The plain baseline every run is compared with: TF-IDF n-grams + logistic regression."""

from __future__ import annotations

import logging
import os
import resource
import threading
import time
from collections.abc import Mapping, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from pathlib import Path
from typing import Any

from triage.text_model import TextBaseline

logger = logging.getLogger(__name__)

BASELINE_FILE = "baseline.skops"
LEGACY_BASELINE_FILE = "baseline.joblib"
"""Bundles exported before the baseline was skops: a joblib pickle, still read (with a warning)."""
NAME = "tfidf_lr"
DESCRIPTION = (
    "TF-IDF word 1-2 grams + char_wb 3-5 grams (scikit-learn defaults), "
    "LogisticRegression(C=10, class_weight='balanced') per target"
)


def fit_baseline(texts: Sequence[str], labels: Mapping[str, Sequence[str | None]]) -> TextBaseline:
    """A fitted `TextBaseline` (silences scikit-learn's convergence warning, by design)."""
    import warnings

    from sklearn.exceptions import ConvergenceWarning

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return TextBaseline().fit(texts, labels)


PARALLEL_MIN_ROWS = 5000
"""From this many rows the baseline is fitted in a second process while the product trains (on
the 48k IT tickets it costs about as much CPU as the product, 80-100 s on one core)."""


Labels = Mapping[str, Sequence[str | None]]


class BaselineJob:
    """`fit_baseline` started now: in spawned processes for large data, else run when asked.

    Two fits: on the `held` part (the train split: the model whose validation predictions the
    served model is chosen against; None = no such fit), started now, and on the `final` rows
    (the yardstick kept in the bundle, and the served text model), started by `start_final()`
    in a process of its own, so the two run in parallel (or now when there is no held fit, or
    by `result()` when nobody started it). `held_model()` -> the first; `result()` -> (final
    baseline, timings: CPU seconds and peak RSS in MB of the process that fitted it; a spawned
    process's memory adds to the trainer's).
    """

    def __init__(
        self,
        texts: Sequence[str],
        labels: Labels,
        held: tuple[Sequence[str], Labels] | None = None,
    ) -> None:
        self.labels = {t: list(v) for t, v in labels.items()}
        self._args = (list(texts), self.labels)
        self._held_args = (
            None if held is None else (list(held[0]), {k: list(v) for k, v in held[1].items()})
        )
        self._spawned = len(texts) >= PARALLEL_MIN_ROWS
        self._pools: list[ProcessPoolExecutor] = []
        self._futures: dict[str, Future[tuple[TextBaseline, dict[str, float]]]] = {}
        if self._spawned and self._held_args is not None:
            self._futures["held"] = self._spawn().submit(_fit_measured, *self._held_args)
        elif self._spawned:
            self.start_final()

    def _spawn(self) -> ProcessPoolExecutor:
        pool = worker_pool()
        self._pools.append(pool)
        return pool

    def start_final(self) -> None:
        """Start the final fit in a process of its own (large data; once). The trainer calls it
        after its features step (its own memory peak on a first run is the embedding)."""
        if self._spawned and "final" not in self._futures:
            self._futures["final"] = self._spawn().submit(_fit_measured, *self._args)

    def held_model(self) -> TextBaseline | None:
        """The baseline fitted on the held part only (None when the job has none)."""
        if self._held_args is None:
            return None
        if "held" not in self._futures:
            return _fit_measured(*self._held_args)[0]
        held = self._futures["held"].result()[0]
        self._pools[0].shutdown(wait=False)  # its process is done: free its memory now
        return held

    def held_ready(self) -> bool:
        """True when `held_model()` would not wait for the worker (or runs here, in-process)."""
        future = self._futures.get("held")
        return future is None or future.done()

    def result(self) -> tuple[TextBaseline, dict[str, float]]:
        self.start_final()
        if "final" not in self._futures:
            return _fit_measured(*self._args)
        try:
            return self._futures["final"].result()
        finally:
            self.close()

    def close(self) -> None:
        """Stop the workers (also when training failed before the result was read)."""
        for pool in self._pools:
            pool.shutdown(wait=True, cancel_futures=True)
        self._pools = []


def worker_pool() -> ProcessPoolExecutor:
    """One spawned worker process (not forked: the trainer holds onnxruntime and BLAS threads)
    that exits when the trainer does, even when the trainer is killed (`exit_with_parent`)."""
    import multiprocessing

    return ProcessPoolExecutor(
        1,
        mp_context=multiprocessing.get_context("spawn"),
        initializer=exit_with_parent,
        initargs=(os.getpid(),),
    )


PARENT_POLL_S = 1.0


def exit_with_parent(parent: int) -> None:
    """In a worker: end this process within `PARENT_POLL_S` once `parent` is no longer its
    parent (the trainer died, even by SIGKILL, and the worker was re-parented). A killed
    `triage train` once left its baseline fit running for an hour, holding 1-2 GB."""

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(PARENT_POLL_S)
        os._exit(1)

    threading.Thread(target=watch, name="exit-with-parent", daemon=True).start()


def _fit_measured(
    texts: list[str], labels: dict[str, list[str | None]]
) -> tuple[TextBaseline, dict[str, float]]:
    start = time.process_time()
    baseline = fit_baseline(texts, labels)
    peak = own_peak_rss_mb()
    return baseline, {"cpu_s": round(time.process_time() - start, 1), "peak_rss_mb": round(peak)}


def own_peak_rss_mb() -> float:
    """This process's own peak resident memory in MB: `VmHWM` of /proc/self/status on Linux.

    Not `ru_maxrss`: a spawned process is forked from the trainer before it runs the new
    interpreter, and Linux carries the trainer's high-water mark into the child's `ru_maxrss`
    (a 2 GB parent makes a 15 MB child report 2 GB). Elsewhere `ru_maxrss` is the fallback.
    """
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024  # kB
    except (OSError, ValueError, IndexError):
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def baseline_scores(
    baseline: TextBaseline,
    texts: Sequence[str],
    labels: Mapping[str, Sequence[str | None]],
    product: Mapping[str, Sequence[str]] | None = None,
) -> dict[str, dict[str, Any]]:
    """Accuracy and macro-F1 of the baseline per target on labelled texts; with the product's
    predicted labels on the same texts (`product`, per target), also the product's difference
    to it (`product_minus_baseline`, `training.evaluate.paired_difference`)."""
    from training.evaluate import paired_difference
    from triage.metrics import evaluate_target

    proba = baseline.predict_proba(texts)
    out: dict[str, dict[str, Any]] = {}
    for target, values in labels.items():
        if target not in proba:
            continue
        rows = [i for i, v in enumerate(values) if v is not None]
        classes = baseline.classes(target)
        truth = [str(values[i]) for i in rows]
        report = evaluate_target(truth, proba[target][rows], classes)
        out[target] = {"accuracy": report["accuracy"], "macro_f1": report["macro_f1"]}
        if product is not None and target in product:
            theirs = [str(classes[j]) for j in proba[target][rows].argmax(axis=1)]
            ours = [str(product[target][i]) for i in rows]
            out[target]["product_minus_baseline"] = paired_difference(ours, theirs, truth)
    return out


def save_baseline(baseline: TextBaseline, folder: Path) -> None:
    """Write the baseline into a bundle folder with skops, as the model is (no pickle)."""
    from triage.model_io import dump_skops

    dump_skops(baseline, Path(folder) / BASELINE_FILE)


def load_baseline(bundle_dir: Path, manifest: Mapping[str, Any]) -> TextBaseline | None:
    """The bundle's baseline when it has one, built from bytes checked against `manifest`
    (skops: only triage, scikit-learn, NumPy and SciPy types; an older bundle's joblib pickle
    is read with a warning to re-export)."""
    from triage.bundle_files import read_checked
    from triage.errors import BundleError
    from triage.model_io import load_pickle_bytes, load_skops_bytes

    where, listed = Path(bundle_dir), manifest.get("files", {})
    if BASELINE_FILE in listed:
        data = read_checked(where, manifest, BASELINE_FILE)
        loaded = load_skops_bytes(data, where, BASELINE_FILE)
    elif LEGACY_BASELINE_FILE in listed:
        data = read_checked(where, manifest, LEGACY_BASELINE_FILE)
        loaded = load_pickle_bytes(data, where, LEGACY_BASELINE_FILE)
    else:
        return None
    if not isinstance(loaded, TextBaseline):
        raise BundleError(f"{where}: the baseline file holds {type(loaded).__name__}; re-export")
    return loaded


def bundle_baseline_scores(
    bundle_dir: Path,
    manifest: Mapping[str, Any],
    tickets: Sequence[Any],
    product: Mapping[str, Sequence[str]] | None = None,
) -> dict[str, Any]:
    """The bundle's baseline on labelled tickets, per target, to read next to the product's:
    `{"tfidf_lr": {target: {"accuracy", "macro_f1"}}}` (with the product's predicted labels,
    also `product_minus_baseline`), or `{}` for a bundle without one."""
    from training.datasets import labels

    baseline = load_baseline(bundle_dir, manifest)
    if baseline is None:
        return {}
    per_target = {t: labels(tickets, t) for t in baseline.models_}
    return {NAME: baseline_scores(baseline, [t.text for t in tickets], per_target, product)}
