"""KB gaps: recurring clusters without a good article, with draft article material from the
solutions agents actually used; and clusters the classifier was unsure of as candidate new
categories."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from triage.insight.clusters import ClusterInput, member_rows
from triage.privacy.redactor import redact_text

_SENTENCE = re.compile(r"(?<=[.!?;])\s+")


@dataclass(frozen=True, slots=True)
class Articles:
    """KB articles as insight needs them: ids, titles and unit vectors (m, dim)."""

    ids: list[str]
    titles: list[str]
    vectors: NDArray[np.float32]


@dataclass(frozen=True, slots=True)
class GapParams:
    """`similarity`: a cluster whose best article has a mean cosine to its tickets below this has
    no good article; `min_tickets`: the fewest (estimated) tickets a gap needs; `unsure_share`:
    the share of a cluster's tickets the classifier was unsure of (`clusters.unsure_share`) from
    which it is a candidate new category: "mostly", not tuned (BENCHMARKS.md, Insight)."""

    similarity: float = 0.36
    min_tickets: int = 10
    unsure_share: float = 0.5


def best_articles(
    data: ClusterInput, clusters: list[dict[str, Any]], articles: Articles
) -> dict[int, tuple[str, str, float]]:
    """Per cluster: the article with the highest mean cosine to the cluster's tickets (the dot
    product of the article with the mean member vector), its title and that mean cosine."""
    out: dict[int, tuple[str, str, float]] = {}
    if not articles.ids:
        return out
    for cluster in clusters:
        members = member_rows(data, cluster["cluster"])
        sims = articles.vectors @ data.vectors[members].mean(axis=0)
        best = int(np.argmax(sims))
        out[cluster["cluster"]] = (articles.ids[best], articles.titles[best], float(sims[best]))
    return out


def _top_texts(values: pd.Series, top: int) -> list[dict[str, Any]]:
    counts = values.dropna().astype(str).str.strip()
    counts = counts[counts != ""].value_counts().head(top)
    return [{"text": redact_text(str(t)), "tickets": int(c)} for t, c in counts.items()]


def _steps(solution: str) -> list[str]:
    """A solution text as numbered-step material: its sentences, outage boilerplate dropped."""
    return [s.strip() for s in _SENTENCE.split(solution) if len(s.strip()) > 3]


def draft(data: ClusterInput, cluster: dict[str, Any]) -> dict[str, Any]:
    """Material for a KB article: symptoms (the most central subjects), causes and solutions
    agents recorded (most frequent first, with counts) and a Markdown draft to paste."""
    members = member_rows(data, cluster["cluster"])
    rows = data.rows.iloc[members]
    centre = data.vectors[members].mean(axis=0)
    central = members[np.argsort(-(data.vectors[members] @ centre))]
    symptoms: list[str] = []
    for row in central:
        subject = redact_text(str(data.rows["subject"].iloc[row] or "").strip())
        if subject and subject not in symptoms:
            symptoms.append(subject)
        if len(symptoms) == 3:
            break
    causes = _top_texts(rows["cause"], 3)
    solutions = _top_texts(rows["solution"], 3)
    steps = _steps(solutions[0]["text"]) if solutions else []
    return {
        "title": cluster["name"],
        "symptoms": symptoms,
        "causes": causes,
        "solutions": solutions,
        "steps": steps,
        "markdown": _markdown(cluster, symptoms, causes, solutions, steps),
    }


def _markdown(
    cluster: dict[str, Any],
    symptoms: list[str],
    causes: list[dict[str, Any]],
    solutions: list[dict[str, Any]],
    steps: list[str],
) -> str:
    lines = [f"# {cluster['name']}", "", "## Symptom", ""]
    lines += [f"- {s}" for s in symptoms] or ["- (no subjects recorded)"]
    lines += ["", "## Cause", ""]
    lines += [f"- {c['text']} ({c['tickets']} tickets)" for c in causes] or ["- (not recorded)"]
    lines += ["", "## Solution", ""]
    lines += [f"{i}. {s}" for i, s in enumerate(steps, 1)] or ["(no solution recorded)"]
    if len(solutions) > 1:
        lines += ["", "Other fixes agents used:", ""]
        lines += [f"- {s['text']} ({s['tickets']} tickets)" for s in solutions[1:]]
    return "\n".join(lines) + "\n"


def _linked(data: ClusterInput, cluster: dict[str, Any]) -> tuple[str | None, float | None]:
    links = data.rows["kb_article_id"].iloc[member_rows(data, cluster["cluster"])]
    if links.isna().all():
        return None, 0.0 if data.rows["kb_article_id"].notna().any() else None
    counts = links.dropna().astype(str).value_counts()
    return str(counts.index[0]), round(float(links.notna().mean()), 3)


def annotate_kb(
    data: ClusterInput,
    clusters: list[dict[str, Any]],
    articles: Articles | None,
    params: GapParams,
) -> None:
    """Add to each cluster its best article (`kb`), the article agents linked most, and whether it
    is a KB gap (`kb_gap`: recurring, enough tickets, best article below `params.similarity`)."""
    best = best_articles(data, clusters, articles) if articles is not None else {}
    for cluster in clusters:
        linked, linked_share = _linked(data, cluster)
        match = best.get(cluster["cluster"])
        cluster["kb"] = (
            {"article_id": match[0], "title": match[1], "similarity": round(match[2], 3)}
            if match
            else None
        )
        cluster["kb_linked"] = {"article_id": linked, "share": linked_share}
        cluster["kb_gap"] = bool(
            match is not None
            and cluster["kind"] == "recurring"
            and cluster["tickets"] >= params.min_tickets
            and match[2] < params.similarity
        )


def kb_gaps(
    data: ClusterInput, clusters: list[dict[str, Any]], articles: Articles | None
) -> dict[str, Any]:
    """The clusters `annotate_kb` marked as gaps, most tickets first, each with a `draft`."""
    if articles is None:
        return {
            "available": False,
            "reason": "no KB articles given (--kb FILE, or kb_articles.parquet beside the data)",
            "items": [],
        }
    gaps = [c for c in clusters if c.get("kb_gap")]
    gaps.sort(key=lambda c: (-c["tickets"], -(c["time_spent_h"] or 0)))
    items = [
        {
            **{k: c[k] for k in ("cluster", "name", "tickets", "time_spent_h", "growth", "kb")},
            "category": c["category"],
            "draft": draft(data, c),
        }
        for c in gaps
    ]
    return {"available": True, "articles": len(articles.ids), "items": items}


def new_categories(clusters: list[dict[str, Any]], params: GapParams) -> dict[str, Any]:
    """Clusters whose tickets the classifier was mostly unsure of (not `auto` for a reason other
    than `never_auto`): candidate new categories, most unsure first. A "mixed" cluster (no
    recorded category holds half of it) gathers tickets by form, such as vague "it does not work"
    messages the classifier is rightly unsure of: no new category, and left out (as from KB
    gaps)."""
    if all(c["unsure_share"] is None for c in clusters):
        return {
            "available": False,
            "reason": "no classifier actions: use the service's store, or --model BUNDLE",
            "items": [],
        }
    keys = ("cluster", "name", "terms", "tickets", "unsure_share", "review_share", "category")
    items = [
        {**{k: c[k] for k in keys}, "representative": c["representative"]}
        for c in clusters
        if (c["unsure_share"] or 0.0) >= params.unsure_share and c["kind"] != "mixed"
    ]
    items.sort(key=lambda c: (-c["unsure_share"], -c["tickets"], c["cluster"]))
    return {"available": True, "items": items}
