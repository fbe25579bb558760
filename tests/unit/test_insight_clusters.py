"""Recurring issues: clustering recovers planted groups, names them by distinctive terms, finds
the KB article (or the gap) and review-bucket clusters; real embeddings on generated data."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from numpy.typing import NDArray

from triage.insight.clusters import (
    NOISE,
    ClusterInput,
    ClusterParams,
    cluster_labels,
    describe,
    join_noise,
    rank,
)
from triage.insight.config import InsightConfig
from triage.insight.facts import build_facts
from triage.insight.kb_gaps import Articles, GapParams, annotate_kb, kb_gaps, new_categories
from triage.insight.table import ACTION_COLUMN, from_tickets, texts
from triage.insight.terms import distinctive_terms
from triage.schema import Status, Ticket

TOPICS = {
    "vpn": ("VPN verbinding valt weg", "GlobalProtect disconnects", "VPN tunnel opnieuw opgezet"),
    "printer": ("Printer PRN-2 offline", "print queue stuck", "Printwachtrij geleegd"),
    "password": ("Wachtwoord vergeten", "account locked out", "Wachtwoord gereset via SSPR"),
}
START = datetime(2025, 9, 1, 7, 0, tzinfo=UTC)


def blobs(sizes: list[int], dim: int = 32, spread: float = 0.15, seed: int = 0) -> Any:
    """Unit vectors around `len(sizes)` random centres, plus the true label of each."""
    rng = np.random.default_rng(seed)
    centres = rng.normal(size=(len(sizes), dim))
    rows, truth = [], []
    for k, n in enumerate(sizes):
        rows.append(
            centres[k] + spread * np.linalg.norm(centres[k]) * rng.normal(size=(n, dim)) / dim**0.5
        )
        truth += [k] * n
    vectors = np.vstack(rows).astype(np.float32)
    return vectors / np.linalg.norm(vectors, axis=1, keepdims=True), np.array(truth)


def test_cluster_labels_recover_planted_groups() -> None:
    vectors, truth = blobs([60, 40, 25])
    labels = cluster_labels(vectors, ClusterParams(pca_dims=16))
    assert len(set(labels.tolist()) - {NOISE}) == 3
    for k in range(3):
        found = labels[truth == k]
        found = found[found != NOISE]
        assert len(found) >= 0.8 * (truth == k).sum()
        assert len(set(found.tolist())) == 1  # one cluster per group, not split


def test_cluster_labels_small_input_is_all_noise() -> None:
    vectors, _ = blobs([5])
    assert (cluster_labels(vectors, ClusterParams()) == NOISE).all()


def test_join_noise_moves_only_close_tickets() -> None:
    vectors = np.array([[1, 0], [1, 0], [0.9, 0.1], [0, 1]], dtype=np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    labels = np.array([0, 0, NOISE, NOISE])
    assert join_noise(vectors, labels, 0.9).tolist() == [0, 0, 0, NOISE]


def test_distinctive_terms_name_each_cluster_by_its_own_words() -> None:
    docs = ["vpn globalprotect tunnel the"] * 5 + ["printer queue toner the"] * 5 + ["the and"] * 3
    labels = [0] * 5 + [1] * 5 + [NOISE] * 3
    terms = distinctive_terms(docs, labels, top=3)
    assert set(terms[0]) == {"vpn", "globalprotect", "tunnel"}
    assert set(terms[1]) == {"printer", "queue", "toner"}


def _tickets(per_topic: int = 20) -> list[Ticket]:
    out = []
    for t, (topic, (nl, en, solution)) in enumerate(TOPICS.items()):
        for i in range(per_topic):
            ticket_id = f"{topic}-{i}"
            out.append(
                Ticket(
                    ticket_id=ticket_id,
                    subject=nl if i % 2 else en,
                    body=f"{nl}. {en}.",
                    created_at=START + timedelta(days=i % 10, hours=t),
                    category=topic,
                    status=Status.CLOSED,
                    solution=solution,
                    cause=f"{topic} cause",
                    resolved_at=START + timedelta(days=i % 10, hours=t + 2),
                    time_spent_minutes=10.0,
                )
            )
    return out


def _input(
    tickets: list[Ticket],
    actions: dict[str, str] | None = None,
    reasons: dict[str, str] | None = None,
) -> tuple[ClusterInput, NDArray[np.float32]]:
    table = from_tickets(tickets, actions, reasons)
    facts = build_facts(table, InsightConfig())
    topic_of = {name: k for k, name in enumerate(TOPICS)}
    sizes = [sum(t.category == name for t in tickets) for name in TOPICS]
    vectors, _ = blobs(sizes)
    order = np.argsort([topic_of[t.category or ""] for t in tickets], kind="stable")
    rows = np.empty(len(tickets), dtype=int)
    rows[order] = np.arange(len(tickets))
    vectors = vectors[rows]  # each ticket gets a vector of its topic's blob
    labels = cluster_labels(vectors, ClusterParams(pca_dims=16))
    data = ClusterInput(
        rows=table,
        facts=facts.frame,
        texts=texts(table),
        vectors=vectors,
        labels=labels,
        periods=facts.frame["local"].dt.to_period("W-SUN"),
        weight=1.0,
    )
    return data, vectors


def test_describe_names_ranks_and_measures_clusters() -> None:
    data, _ = _input(_tickets())
    clusters = describe(data)
    assert len(clusters) == 3
    by_category = {c["category"]: c for c in clusters}
    assert set(by_category) == set(TOPICS)
    vpn = by_category["vpn"]
    assert vpn["category_share"] == 1.0 and vpn["kind"] == "recurring"
    assert {"vpn", "globalprotect"} & set(vpn["terms"])
    assert vpn["representative"]["ticket_id"].startswith("vpn-")
    assert vpn["time_spent_h"] == pytest.approx(vpn["size"] * 10 / 60, abs=0.1)
    assert (
        rank(clusters, "time_spent_h")[0]["time_spent_h"]
        >= rank(clusters, "time_spent_h")[-1]["time_spent_h"]
    )


def test_kb_gap_found_where_no_article_is_close_with_a_draft_from_agents_solutions() -> None:
    data, vectors = _input(_tickets())
    clusters = describe(data)
    centre = {c["category"]: vectors[data.labels == c["cluster"]].mean(axis=0) for c in clusters}
    article = {
        k: v / np.linalg.norm(v) for k, v in centre.items() if k != "printer"
    }  # no printer KB
    articles = Articles(
        list(article), [f"How to fix {k}" for k in article], np.stack(list(article.values()))
    )
    annotate_kb(data, clusters, articles, GapParams(similarity=0.5, min_tickets=5))
    gaps = kb_gaps(data, clusters, articles)
    assert [g["category"] for g in gaps["items"]] == ["printer"]
    draft = gaps["items"][0]["draft"]
    assert draft["solutions"][0] == {"text": "Printwachtrij geleegd", "tickets": 20}
    assert "## Solution" in draft["markdown"] and "1. Printwachtrij geleegd" in draft["markdown"]
    assert draft["causes"][0]["text"] == "printer cause"


def test_kb_gaps_unavailable_without_articles() -> None:
    data, _ = _input(_tickets())
    out = kb_gaps(data, describe(data), None)
    assert out["available"] is False and "KB" in out["reason"]


def _outcomes(
    tickets: list[Ticket], per_topic: dict[str, list[tuple[str, str | None]]]
) -> tuple[dict[str, str], dict[str, str]]:
    """(actions, reasons) by ticket id: topic `t`'s tickets cycle through `per_topic[t]`'s
    (action, reason) pairs; other topics are `auto`."""
    actions, reasons = {}, {}
    counts: dict[str, int] = {}
    for ticket in tickets:
        topic = ticket.category or ""
        cycle = per_topic.get(topic, [("auto", None)])
        action, reason = cycle[counts.get(topic, 0) % len(cycle)]
        counts[topic] = counts.get(topic, 0) + 1
        actions[ticket.ticket_id] = action
        if reason is not None:
            reasons[ticket.ticket_id] = reason
    return actions, reasons


def _new_categories(per_topic: dict[str, list[tuple[str, str | None]]]) -> dict[str, Any]:
    tickets = _tickets()
    data, _ = _input(tickets, *_outcomes(tickets, per_topic))
    return new_categories(describe(data), GapParams())


def test_a_cluster_the_classifier_was_unsure_of_is_a_candidate_new_category() -> None:
    """`suggest` below the class threshold, near ties and unfamiliar tickets make a cluster a
    candidate; its share is counted over the tickets with an action."""
    unsure = [
        ("suggest", "below_threshold"),
        ("suggest", "near_tie"),
        ("review", "unfamiliar"),
        ("auto", None),
    ]
    found = _new_categories({"password": unsure})
    assert found["available"] is True
    assert [c["category"] for c in found["items"]] == ["password"]
    item = found["items"][0]
    assert item["unsure_share"] == 0.75 and item["review_share"] == 0.25
    assert item["representative"]["ticket_id"].startswith("password-")


def test_a_class_that_never_auto_applies_is_no_candidate_new_category() -> None:
    """Tickets of a known class that never auto-applies are `suggest` whatever the confidence:
    not a sign of a new category. Half unsure is enough (the bound is inclusive)."""
    found = _new_categories(
        {
            "password": [("suggest", "never_auto")],
            "printer": [("suggest", "never_auto"), ("suggest", "below_threshold")],
            "vpn": [("suggest", "below_threshold"), ("auto", None), ("auto", None)],
        }
    )
    assert found["available"] is True
    assert [(c["category"], c["unsure_share"]) for c in found["items"]] == [("printer", 0.5)]


def test_a_mixed_cluster_is_no_candidate_new_category() -> None:
    """Tickets alike in form but recorded under several categories (vague "it does not work"
    messages): the classifier is rightly unsure of them, and they are no new category."""
    tickets = _tickets()
    data, _ = _input(tickets, *_outcomes(tickets, {"password": [("suggest", "below_threshold")]}))
    found = new_categories(describe(data), GapParams())
    assert [c["category"] for c in found["items"]] == ["password"]
    rows = data.rows
    vague = rows.index[rows["ticket_id"].str.startswith("password-")]
    rows.loc[vague, "category"] = [("printer", "vpn", "other")[i % 3] for i in range(len(vague))]
    clusters = describe(data)
    assert "mixed" in {c["kind"] for c in clusters}
    assert new_categories(clusters, GapParams()) == {"available": True, "items": []}


def test_a_prediction_stored_without_a_reason_is_unsure_when_sent_to_review() -> None:
    """Predictions stored before reason codes carry only the action: `review` counts as before,
    a `suggest` may be a class that never auto-applies and does not."""
    found = _new_categories({"vpn": [("review", None)], "printer": [("suggest", None)]})
    assert [c["category"] for c in found["items"]] == ["vpn"]


def test_new_categories_unavailable_without_actions() -> None:
    data, _ = _input(_tickets())
    assert new_categories(describe(data), GapParams())["available"] is False
    assert ACTION_COLUMN not in data.rows.columns


def _planted_found(seed: int, embedder: Any) -> tuple[int, int]:
    """(planted subcategories found, of them bilingual) among the eight largest of 1,200
    generated tickets of `seed`: a cluster holding >= 40% of the subcategory's tickets that is
    >= 80% that subcategory; bilingual when it holds Dutch and English tickets."""
    from triage.insight.report import clustering_view
    from triage.sample import generate

    data = generate(1200, seed=seed)
    tickets = [t for t in data.tickets if t.ticket_id not in data.outages]
    table = from_tickets(tickets)
    _, vectors = clustering_view(texts(table), embedder, ClusterParams())
    labels = cluster_labels(vectors, ClusterParams())
    subs = pd.Series([t.subcategory for t in tickets])
    languages = pd.Series([t.language for t in tickets])
    found, bilingual = 0, 0
    for sub in subs.value_counts().index[:8]:
        members = pd.Series(labels[(subs == sub).to_numpy()])
        counts = members[members != NOISE].value_counts()
        if counts.empty:
            continue
        top = int(counts.index[0])
        pure = (subs[labels == top] == sub).mean() >= 0.8
        if pure and counts.iloc[0] >= 0.4 * (subs == sub).sum():
            found += 1
            bilingual += set(languages[labels == top]) == {"nl", "en"}
    return found, bilingual


@pytest.mark.slow
def test_planted_subcategories_are_found_with_the_multilingual_embedder(tmp_path: Path) -> None:
    """Real embeddings (USE, as `triage report kpi` clusters: boilerplate removed first) on
    1,200 generated tickets (the noisy generator: users' own words, one-liners, second
    problems), four seeds: most of the eight largest planted subcategories come out as a
    cluster, Dutch and English together. The clustering defaults were chosen on seed 5 (and
    42, 7 at 4,000 tickets), so one seed would test what was tuned; the floors sit about one
    below the figures measured on seeds 5-8 (6, 5, 6, 6; BENCHMARKS.md, Insight), so losing a
    cluster on most seeds fails it."""
    from triage.embedding_cache import CachedEmbedder
    from triage.embeddings import load_embedder

    embedder = CachedEmbedder(load_embedder("use-multilingual"), tmp_path / "embeddings")
    results = {seed: _planted_found(seed, embedder) for seed in (5, 6, 7, 8)}
    found = [f for f, _ in results.values()]  # 6 / 5 / 6 / 6 on 2026-12-02
    assert min(found) >= 4 and sum(found) / len(found) >= 5, results
    assert all(bilingual >= f - 2 for f, bilingual in results.values()), results
