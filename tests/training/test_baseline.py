"""The in-run TF-IDF + LR baseline: the issue's estimator, and a second process when large."""

from __future__ import annotations

import hashlib
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from tiny_data import make_tickets

import training.baseline as baseline_module
from training.baseline import (
    BASELINE_FILE,
    LEGACY_BASELINE_FILE,
    BaselineJob,
    TextBaseline,
    baseline_scores,
    fit_baseline,
    load_baseline,
    own_peak_rss_mb,
    save_baseline,
)
from training.datasets import labels
from training.evaluate import paired_difference
from triage.errors import BundleError


def test_baseline_is_the_issue_estimator() -> None:
    tickets = make_tickets(120, seed=3)
    base = fit_baseline([t.text for t in tickets], {"category": labels(tickets, "category")})
    word, char = (step for _, step in base.vectorizer_.transformer_list)
    assert (word.ngram_range, char.analyzer, char.ngram_range) == ((1, 2), "char_wb", (3, 5))
    assert not word.sublinear_tf and word.min_df == 1  # scikit-learn defaults
    model = base.models_["category"]
    assert (model.C, model.class_weight, model.max_iter) == (10, "balanced", 100)


def test_baseline_skips_unlabelled_rows_and_scores_per_target() -> None:
    tickets = make_tickets(160, seed=4)
    texts = [t.text for t in tickets]
    y = labels(tickets, "category")
    partial = [v if i % 4 else None for i, v in enumerate(y)]
    base = TextBaseline().fit(texts, {"category": partial, "priority": [None] * len(texts)})
    assert set(base.models_) == {"category"}  # a target without two classes gets no model
    scores = baseline_scores(base, texts, {"category": y})
    assert scores["category"]["accuracy"] > 0.9  # separable data


def test_paired_difference_gives_the_edge_and_an_interval_that_knows_the_noise() -> None:
    """400 tickets, 2 labels. The baseline is right on the first 300. A product right on those
    and on 40 more is 10 points ahead, and the interval excludes 0; one that trades 20 of the
    baseline's right answers for 22 others is 0.5 points ahead, and the interval holds 0."""
    truth = ["a" if i % 2 else "b" for i in range(400)]
    flip = {"a": "b", "b": "a"}
    baseline = [t if i < 300 else flip[t] for i, t in enumerate(truth)]
    better = [t if i < 340 else flip[t] for i, t in enumerate(truth)]
    level = [flip[t] if i < 20 else t if i < 322 else flip[t] for i, t in enumerate(truth)]
    clear = paired_difference(better, baseline, truth)
    assert clear["accuracy"]["points"] == 10.0
    assert 0 < clear["accuracy"]["interval"][0] < 10 < clear["accuracy"]["interval"][1]
    assert clear["macro_f1"]["interval"][0] > 0
    close = paired_difference(level, baseline, truth)
    assert close["accuracy"]["points"] == 0.5
    assert close["accuracy"]["interval"][0] < 0 < close["accuracy"]["interval"][1]
    assert paired_difference(baseline, baseline, truth)["accuracy"] == {
        "points": 0.0,
        "interval": [0.0, 0.0],
    }
    assert paired_difference([], [], []) == {}


def test_baseline_job_in_a_second_process_fits_the_same_model(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    tickets = make_tickets(100, seed=5)
    texts, y = [t.text for t in tickets], {"category": labels(tickets, "category")}
    inline, cost = BaselineJob(texts, y).result()
    monkeypatch.setattr(baseline_module, "PARALLEL_MIN_ROWS", 1)
    job = BaselineJob(texts, y)
    assert "final" in job._futures  # started in a spawned process
    spawned, spawned_cost = job.result()
    np.testing.assert_allclose(
        spawned.predict_proba(texts)["category"], inline.predict_proba(texts)["category"]
    )
    assert spawned_cost["peak_rss_mb"] > 0 and cost["cpu_s"] >= 0


def test_baseline_job_runs_the_held_and_final_fits_in_two_processes(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    tickets = make_tickets(100, seed=6)
    texts, y = [t.text for t in tickets], {"category": labels(tickets, "category")}
    held = (texts[:60], {"category": y["category"][:60]})
    inline_held = BaselineJob(texts, y, held).held_model()
    inline, _ = BaselineJob(texts, y, held).result()
    monkeypatch.setattr(baseline_module, "PARALLEL_MIN_ROWS", 1)
    job = BaselineJob(texts, y, held)
    assert set(job._futures) == {"held"}  # the final fit waits for the trainer's signal
    job.start_final()
    assert set(job._futures) == {"held", "final"} and len(job._pools) == 2
    spawned_held = job.held_model()
    spawned, _ = job.result()
    assert job._pools == []  # both workers stopped
    assert inline_held is not None and spawned_held is not None
    for ours, theirs in ((spawned_held, inline_held), (spawned, inline)):
        np.testing.assert_allclose(
            ours.predict_proba(texts)["category"], theirs.predict_proba(texts)["category"]
        )


def test_a_spawned_fit_reports_its_own_peak_memory_not_the_trainers() -> None:
    """Linux carries a forking parent's ru_maxrss into the spawned child; the fit's reported
    peak must be the child's own (VmHWM), or a big trainer makes every baseline look big."""
    import multiprocessing

    ballast = bytearray(400 * 1024 * 1024)
    ballast[::4096] = b"\x01" * len(ballast[::4096])  # touch every page: resident
    parent = own_peak_rss_mb()
    context = multiprocessing.get_context("spawn")
    with context.Pool(1) as pool:
        child = pool.apply(own_peak_rss_mb)
    assert parent >= 400
    assert 0 < child < parent - 300
    del ballast


def _saved(tmp_path: Path, writer: Callable[[TextBaseline, Path], None]) -> tuple[Any, dict]:
    tickets = make_tickets(120, seed=5)
    texts = [t.text for t in tickets]
    base = fit_baseline(texts, {"category": labels(tickets, "category")})
    writer(base, tmp_path)
    files = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in tmp_path.iterdir()}
    return base, {"files": files}


def test_the_bundle_baseline_is_skops_and_loads_with_the_same_predictions(tmp_path: Path) -> None:
    base, manifest = _saved(tmp_path, save_baseline)
    assert list(manifest["files"]) == [BASELINE_FILE] and BASELINE_FILE.endswith(".skops")
    with zipfile.ZipFile(tmp_path / BASELINE_FILE) as archive:  # skops: a zip, not a pickle
        assert "schema.json" in archive.namelist()
    loaded = load_baseline(tmp_path, manifest)
    assert isinstance(loaded, TextBaseline)
    texts = ["printer on floor 3 jams", "vpn drops every hour"]
    np.testing.assert_array_equal(
        loaded.predict_proba(texts)["category"], base.predict_proba(texts)["category"]
    )


def test_an_altered_baseline_file_is_refused_before_it_is_read(tmp_path: Path) -> None:
    _, manifest = _saved(tmp_path, save_baseline)
    with (tmp_path / BASELINE_FILE).open("ab") as f:
        f.write(b"\0")
    with pytest.raises(BundleError, match="checksum mismatch"):
        load_baseline(tmp_path, manifest)


def test_a_bundle_without_a_baseline_has_none(tmp_path: Path) -> None:
    assert load_baseline(tmp_path, {"files": {"model.skops": "0" * 64}}) is None


def test_an_older_bundles_joblib_baseline_still_loads_with_a_warning(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    import joblib

    def legacy(base: TextBaseline, folder: Path) -> None:
        joblib.dump(base, folder / LEGACY_BASELINE_FILE)

    base, manifest = _saved(tmp_path, legacy)
    with caplog.at_level("WARNING"):
        loaded = load_baseline(tmp_path, manifest)
    assert isinstance(loaded, TextBaseline) and "re-export" in caplog.text
    assert loaded.classes("category") == base.classes("category")


_ORPHAN_PARENT = """
import sys, time
sys.path[:0] = {paths!r}
from training.baseline import worker_pool
if __name__ == "__main__":
    pool = worker_pool()
    pool.submit(time.sleep, 120)
    time.sleep(1.0)
    print(*pool._processes, flush=True)
    time.sleep(120)
"""


def test_a_baseline_worker_exits_when_the_trainer_is_killed(tmp_path: Path) -> None:
    import os
    import signal
    import subprocess
    import sys
    import time

    script = tmp_path / "parent.py"
    script.write_text(_ORPHAN_PARENT.format(paths=sys.path))
    parent = subprocess.Popen([sys.executable, str(script)], stdout=subprocess.PIPE, text=True)
    try:
        assert parent.stdout is not None
        worker = int(parent.stdout.readline().split()[0])
        os.kill(worker, 0)  # the worker runs (its sleep of 120 s)
        parent.send_signal(signal.SIGKILL)  # no clean-up can run in the parent
        parent.wait(timeout=10)
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            try:
                os.kill(worker, 0)
            except ProcessLookupError:
                break
            time.sleep(0.2)
        else:
            os.kill(worker, signal.SIGKILL)
            pytest.fail("the worker outlived its killed parent by 15 s")
    finally:
        parent.kill()
