"""Recurring issues: tickets clustered by meaning (HDBSCAN over embeddings), named and ranked.

Measured on the sample data (`bench/bench_insight.py tune` and `clusters`, BENCHMARKS.md,
Insight), settings chosen on seed 42 and reported on seeds 5-8: boilerplate sentences removed
first (`triage.insight.boilerplate`), then HDBSCAN ("leaf" selection) on a 64-dimensional PCA of
the multilingual USE vectors, with unclustered tickets joined to the nearest cluster when their
cosine to its centroid is at least 0.5. On 4,000 tickets of the noisy generator (seeds 5-8)
this clusters 87-90% of them with homogeneity 0.87-0.90 and finds 85-93% of the planted
problems (before: 54-63% clustered, homogeneity 0.76-0.84, 48-65% found): without the removal,
greetings, signatures and stock phrases grouped tickets by form. "eom" selection once put 71%
of a sample in one cluster; MiniLM keeps Dutch and English apart.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from triage.errors import ConfigError
from triage.insight.table import ACTION_COLUMN, REASON_COLUMN
from triage.insight.terms import distinctive_terms
from triage.prediction import Action, Reason
from triage.privacy.redactor import redact_text

NOISE = -1


@dataclass(frozen=True, slots=True)
class ClusterParams:
    """How tickets are clustered.

    `max_tickets`: a uniform sample of at most this many tickets is embedded and clustered (volumes
    are scaled back up); `min_cluster_size` / `min_samples`: HDBSCAN's; `pca_dims`: vectors are
    reduced to this many dimensions first (HDBSCAN's density estimate degrades in high dimension,
    and it is 10x faster); `join_similarity`: an unclustered ticket joins the nearest cluster when
    its cosine to the cluster's centroid is at least this; `boilerplate_share` /
    `boilerplate_coherence`: sentences in at least that share of the sample whose tickets' mean
    vector is shorter than that are removed before clustering (`triage.insight.boilerplate`;
    share 0: off).
    """

    max_tickets: int = 4000
    min_cluster_size: int = 10
    min_samples: int = 5
    pca_dims: int = 64
    join_similarity: float = 0.5
    selection: str = "leaf"
    boilerplate_share: float = 0.005
    boilerplate_coherence: float = 0.7
    seed: int = 0

    def __post_init__(self) -> None:
        if self.selection not in ("leaf", "eom"):
            raise ConfigError(f"selection {self.selection!r} unknown; use leaf or eom")
        if self.max_tickets < 2 * self.min_cluster_size:
            raise ConfigError("max_tickets must be at least twice min_cluster_size")
        if not 0.0 < self.join_similarity <= 1.0:
            raise ConfigError(f"join_similarity {self.join_similarity} must be in (0, 1]")


def sample_rows(n_rows: int, max_tickets: int, seed: int = 0) -> NDArray[np.int64]:
    """Sorted row numbers of a uniform sample of at most `max_tickets` of `n_rows` rows."""
    if n_rows <= max_tickets:
        return np.arange(n_rows, dtype=np.int64)
    rows = np.random.default_rng(seed).choice(n_rows, size=max_tickets, replace=False)
    return np.sort(rows).astype(np.int64)


def cluster_labels(vectors: NDArray[np.float32], params: ClusterParams) -> NDArray[np.int64]:
    """Cluster number per row of `vectors` (n, dim), unit length; `NOISE` (-1) for none."""
    from sklearn.cluster import HDBSCAN
    from sklearn.decomposition import PCA

    n = len(vectors)
    if n < 2 * params.min_cluster_size:
        return np.full(n, NOISE, dtype=np.int64)
    reduced = np.array(vectors, dtype=np.float32)
    if params.pca_dims:
        dims = min(params.pca_dims, vectors.shape[1], n - 1)
        reduced = PCA(dims, random_state=params.seed).fit_transform(vectors)
    reduced /= np.maximum(np.linalg.norm(reduced, axis=1, keepdims=True), 1e-12)
    hdbscan = HDBSCAN(
        min_cluster_size=params.min_cluster_size,
        min_samples=params.min_samples,
        cluster_selection_method=params.selection,  # "eom" once put 71% of a sample in one
        copy=True,
    )
    labels = np.asarray(hdbscan.fit_predict(reduced), dtype=np.int64)
    return join_noise(vectors, labels, params.join_similarity)


def centroids(vectors: NDArray[np.float32], labels: NDArray[np.int64]) -> dict[int, NDArray[Any]]:
    """Unit-length mean vector of every cluster (not `NOISE`)."""
    out = {}
    for label in sorted(set(labels.tolist()) - {NOISE}):
        mean = vectors[labels == label].mean(axis=0)
        out[label] = mean / max(float(np.linalg.norm(mean)), 1e-12)
    return out


def join_noise(
    vectors: NDArray[np.float32], labels: NDArray[np.int64], similarity: float
) -> NDArray[np.int64]:
    """`labels` with each `NOISE` row moved to the nearest centroid when its cosine to it is
    at least `similarity`."""
    centres = centroids(vectors, labels)
    noise = np.flatnonzero(labels == NOISE)
    if not centres or not len(noise):
        return labels
    keys = np.array(list(centres))
    sims = vectors[noise] @ np.stack(list(centres.values())).T
    best = sims.argmax(axis=1)
    close = sims[np.arange(len(noise)), best] >= similarity
    out = labels.copy()
    out[noise[close]] = keys[best[close]]
    return out


# -- describing clusters ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ClusterInput:
    """The clustered sample: its rows of the ticket table and fact table, texts, vectors, labels,
    the local period of each row, and `weight` (tickets in the window per sampled ticket)."""

    rows: pd.DataFrame
    facts: pd.DataFrame
    texts: list[str]
    vectors: NDArray[np.float32]
    labels: NDArray[np.int64]
    periods: pd.Series
    weight: float


def _most_common(values: pd.Series) -> tuple[str | None, float | None]:
    counts = values.dropna().astype(str).value_counts()
    if counts.empty:
        return None, None
    return str(counts.index[0]), round(float(counts.iloc[0] / counts.sum()), 3)


def representative(data: ClusterInput, members: NDArray[np.int64], centre: NDArray[Any]) -> int:
    """The member row (index into the sample) closest to the cluster's centroid."""
    return int(members[np.argmax(data.vectors[members] @ centre)])


def _subject(data: ClusterInput, row: int) -> str:
    subject = str(data.rows["subject"].iloc[row] or "").strip()
    text = subject or data.texts[row][:120]
    return redact_text(text)


def growth(data: ClusterInput, members: NDArray[np.int64]) -> float | None:
    """Relative change of the cluster's share of tickets: newest period against the earlier
    ones in the window (0.5 = its share grew by half); None without an earlier period."""
    periods = data.periods
    keys = sorted(set(periods.dropna()))
    if len(keys) < 2:
        return None
    newest = (periods == keys[-1]).to_numpy(dtype=bool)
    in_cluster = np.zeros(len(periods), dtype=bool)
    in_cluster[members] = True
    before = in_cluster[~newest].sum() / max((~newest).sum(), 1)
    after = in_cluster[newest].sum() / max(newest.sum(), 1)
    return round(float(after / before - 1.0), 3) if before > 0 else None


def burstiness(data: ClusterInput, members: NDArray[np.int64]) -> float:
    """Largest share of the cluster's tickets created on one local day (1.0 = all on one day)."""
    days = data.facts["local"].iloc[members].dt.normalize().value_counts()
    return round(float(days.iloc[0] / days.sum()), 3) if len(days) else 0.0


def describe(data: ClusterInput, incident_share: float = 0.5) -> list[dict[str, Any]]:
    """One record per cluster: size, estimated tickets in the window, distinctive terms, the
    representative ticket, top category, growth, time spent, review and unsure shares (see
    `unsure_share`) and kind ("incident" when more than `incident_share` of it arrived on one
    day, "mixed" when no category holds `MIXED_SHARE` of it, else "recurring"), largest first."""
    terms = distinctive_terms(data.texts, data.labels.tolist())
    centres = centroids(data.vectors, data.labels)
    out = []
    for label, centre in centres.items():
        members = np.flatnonzero(data.labels == label)
        out.append(_record(data, label, members, centre, terms.get(label, []), incident_share))
    out.sort(key=lambda c: (-c["tickets"], c["cluster"]))
    return out


def _record(
    data: ClusterInput,
    label: int,
    members: NDArray[np.int64],
    centre: NDArray[Any],
    terms: list[str],
    incident_share: float,
) -> dict[str, Any]:
    rows = data.rows.iloc[members]
    spent = data.facts["spent_h"].iloc[members]
    category, category_share = _most_common(rows["category"])
    rep = representative(data, members, centre)
    burst = burstiness(data, members)
    review = None
    if ACTION_COLUMN in rows.columns and rows[ACTION_COLUMN].notna().any():
        review = round(float(rows[ACTION_COLUMN].eq(Action.REVIEW.value).mean()), 3)
    return {
        "cluster": int(label),
        "name": " / ".join(terms[:3]) if terms else _subject(data, rep),
        "terms": terms,
        "size": len(members),
        "tickets": round(len(members) * data.weight),
        "share": round(len(members) / max(len(data.labels), 1), 4),
        "representative": {
            "ticket_id": str(data.rows["ticket_id"].iloc[rep]),
            "subject": _subject(data, rep),
        },
        "category": category,
        "category_share": category_share,
        "growth": growth(data, members),
        "time_spent_h": round(float(spent.sum()) * data.weight, 1) if spent.notna().any() else None,
        "median_resolution_h": _median(data.facts["resolution_h"].iloc[members]),
        "review_share": review,
        "unsure_share": unsure_share(rows),
        "max_day_share": burst,
        "kind": _kind(burst, category_share, incident_share),
    }


def unsure_share(rows: pd.DataFrame) -> float | None:
    """Share of the rows with a category action that the classifier was unsure of: not `auto`
    for a reason other than `never_auto` (below the class threshold, a near tie, or unfamiliar).

    Tickets of a category the model never learned look like this; a class that never
    auto-applies does not, however sure the model is (measured: BENCHMARKS.md, Insight, candidate
    new categories). A prediction stored before reason codes has only its action: it counts as
    unsure when it was sent to `review` (the rule before reason codes), not when it was a
    `suggest`, which may be a class that never auto-applies. None without actions."""
    if ACTION_COLUMN not in rows.columns:
        return None
    actions = rows[ACTION_COLUMN]
    known = actions.notna()
    if not known.any():
        return None
    reasons = rows[REASON_COLUMN] if REASON_COLUMN in rows.columns else pd.Series(None, rows.index)
    told = reasons.notna()
    unsure = (told & reasons.ne(Reason.NEVER_AUTO.value)) | (
        ~told & actions.eq(Action.REVIEW.value)
    )
    return round(float((known & unsure).sum() / known.sum()), 3)


MIXED_SHARE = 0.5
"""A cluster whose most common category holds less than this share is "mixed": on the sample
data such clusters gather tickets by form (portal template, chat greetings, vague "werkt niet"),
not by problem, and are no KB gap."""


def _kind(burst: float, category_share: float | None, incident_share: float) -> str:
    if burst > incident_share:
        return "incident"
    if category_share is not None and category_share < MIXED_SHARE:
        return "mixed"
    return "recurring"


def _median(values: pd.Series) -> float | None:
    values = values.dropna()
    return round(float(values.median()), 2) if len(values) else None


def member_rows(data: ClusterInput, label: int) -> NDArray[np.int64]:
    """Sample rows of cluster `label`."""
    return np.flatnonzero(data.labels == label)


def rank(clusters: list[dict[str, Any]], by: str = "tickets") -> list[dict[str, Any]]:
    """Clusters sorted by `by`: "tickets" (volume), "growth" or "time_spent_h", largest first."""
    if by not in ("tickets", "growth", "time_spent_h"):
        raise ConfigError(f"sort {by!r} unknown; use tickets, growth or time_spent_h")
    return sorted(clusters, key=lambda c: -(c[by] if c[by] is not None else -np.inf))
