"""The in-run TF-IDF + LR baseline: the issue's estimator, and a second process when large."""

from __future__ import annotations

import numpy as np
import pytest
from tiny_data import make_tickets

import training.baseline as baseline_module
from training.baseline import (
    BaselineJob,
    TextBaseline,
    baseline_scores,
    fit_baseline,
    own_peak_rss_mb,
)
from training.datasets import labels


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
