"""Which fusion of dense and lexical ranking transfers: two labelled sources, one run.

Sources (both ranked with `Collection`, the served code path, candidates 50 + 50, no cut-off):
- hadoop: the 1,733 hadoop_bugs issues with a Jira resolution (the issue-10 mapping); each of the
  114 duplicates whose original is among them looks for it (the query itself left out);
- answers: support_tickets_synthetic, English and German rows with an answer, one per distinct
  body and answer (4,752); the answers form the collection and each ticket (subject + body)
  looks for its own answer among all of them (a KB-suggestion task with one right article).
Rankings: dense only, lexical only (TF-IDF cosine over the triage tokens), score fusion with
alpha 0.5 (the default: both signals weighted alike), alpha 0.7 (tuned on hadoop before),
reciprocal-rank fusion (k 60), and alpha chosen per index from pseudo-queries of the index's
own documents (no labels): a ticket's subject -> its body ("subject"), every other sentence ->
the rest ("half"), scored by MRR@10 over an alpha grid; its pick is then scored on the labels.

    .venv/bin/python bench/bench_retrieval_fusion.py [--embedder minilm] [--json OUT]
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import sys
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
from results_log import emit_report

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "data"
CACHE = ROOT / ".cache" / "embeddings"
ALPHAS = [round(a, 1) for a in np.arange(0.0, 1.01, 0.1)]
PSEUDO = 300


def hadoop_source() -> dict[str, Any]:
    """Docs (id, text, subject, body) and queries (text, target id, own id)."""
    import pandas as pd
    import yaml

    from triage import ingest
    from triage.retrieval import is_indexable

    preset = yaml.safe_load((ROOT / "triage/ingest/presets/hadoop_bugs.yaml").read_text())
    preset["fields"]["status"] = {"constant": "resolved"}
    preset["fields"]["solution"] = {"column": "Resolution"}
    mapping = ingest.parse_mapping(preset, "hadoop_bugs_solved")
    tickets = ingest.read_tickets(SHARED / "hadoop_bugs/hadoop_bugs.csv", mapping).tickets
    text = {t.ticket_id: t.text for t in tickets}
    docs = [(t.ticket_id, t.text, t.subject, t.body) for t in tickets if is_indexable(t)]
    ids = {d[0] for d in docs}
    rows = pd.read_csv(SHARED / "hadoop_bugs/hadoop_bugs-combined.csv", dtype=str)
    queries = [
        (text[d.strip()], issue, d.strip(), "en")
        for issue, dups in zip(rows["Issue id"], rows["Duplicate id"], strict=True)
        for d in dups.split(",")
        if issue in ids
    ]
    return {"docs": docs, "queries": queries}


def answers_source() -> dict[str, Any]:
    """Answers as documents (no subject: the first sentence stands in); tickets as queries."""
    import pandas as pd

    files = sorted((SHARED / "support_tickets_synthetic").glob("*.csv"))
    df = pd.concat([pd.read_csv(f) for f in files], ignore_index=True)
    df = df[df["language"].isin(["en", "de"]) & df["body"].notna() & df["answer"].notna()]
    df = df.drop_duplicates("body").drop_duplicates("answer").reset_index(drop=True)
    text = (df["subject"].fillna("") + "\n" + df["body"]).str.strip()
    answers = [str(a) for a in df["answer"]]
    docs = [(f"A{i}", a, *_first_sentence(a)) for i, a in enumerate(answers)]
    queries = [
        (t, f"A{i}", None, lang)
        for i, (t, lang) in enumerate(zip(text, df["language"], strict=True))
    ]
    return {"docs": docs, "queries": queries}


_SENTENCE = re.compile(r"(?<=[.!?])\s+|\n+")


def _first_sentence(text: str) -> tuple[str, str]:
    parts = [p for p in _SENTENCE.split(text.strip()) if p.strip()]
    return (parts[0], " ".join(parts[1:])) if len(parts) > 1 else ("", text)


def _halves(text: str) -> tuple[str, str]:
    parts = [p for p in _SENTENCE.split(text.strip()) if p.strip()]
    return (" ".join(parts[0::2]), " ".join(parts[1::2])) if len(parts) >= 4 else ("", "")


def collection(docs: list[tuple[str, ...]], embedder: Any) -> tuple[Any, Any]:
    from triage.retrieval import Collection, RetrievalConfig

    config = RetrievalConfig()
    coll = Collection.empty(embedder.dim, config)
    vectors = embedder.encode([d[1] for d in docs], batch_size=16)
    coll.add([d[0] for d in docs], [d[1] for d in docs], vectors, [{} for _ in docs])
    return coll, config


def signals_of(coll: Any, config: Any, queries: list[tuple[Any, ...]], vectors: Any) -> list[Any]:
    """Each query's candidates with both similarities (own id left out), computed once."""
    return [
        coll.signals(q[0], vectors[i], config.candidates + 1, config, exclude=frozenset({q[2]}))
        for i, q in enumerate(queries)
    ]


def pseudo_signals(coll: Any, config: Any, docs: list[tuple[str, ...]], split: Any, embedder: Any):
    """Head -> rest pseudo-queries of up to PSEUDO documents, the rest standing in for the doc."""
    parts = [(d[0], *split(d)) for d in docs]
    usable = [p for p in parts if len(p[1]) >= 10 and len(p[2]) >= 20]
    rng = np.random.default_rng(0)
    chosen = [usable[i] for i in sorted(rng.permutation(len(usable))[:PSEUDO].tolist())]
    if len(chosen) < 20:
        return [], []
    vecs = embedder.encode([c[1] for c in chosen] + [c[2] for c in chosen], batch_size=16)
    q, r = vecs[: len(chosen)], vecs[len(chosen) :]
    out = []
    for i, (item, head, rest) in enumerate(chosen):
        found = coll.signals(head, q[i], config.candidates, config)
        lexical = coll.lexical.cosine_pair(head, rest)
        out.append(found.with_scores(item, float(q[i] @ r[i]), lexical))
    return out, [c[0] for c in chosen]


def ranks(signals: list[Any], targets: list[str], config: Any) -> np.ndarray:
    out = np.full(len(signals), np.inf)
    for i, (found, target) in enumerate(zip(signals, targets, strict=True)):
        ranked = [c for c, _ in found.ranked(config)]
        if target in ranked:
            out[i] = ranked.index(target) + 1
    return out


def metrics(r: np.ndarray) -> dict[str, float]:
    return {
        "R@1": round(float(np.mean(r <= 1)), 3),
        "R@10": round(float(np.mean(r <= 10)), 3),
        "MRR@10": round(float(np.mean(np.where(r <= 10, 1 / r, 0))), 3),
    }


def rankings(config: Any) -> dict[str, Any]:
    return {
        "dense only": replace(config, fusion="dense"),
        "lexical only": replace(config, fusion="lexical"),
        "score alpha 0.5 (default)": config,
        "score alpha 0.7 (tuned on hadoop)": replace(config, alpha=0.7),
        "rrf k 60": replace(config, fusion="rrf"),
    }


def evaluate(name: str, source: dict[str, Any], embedder: Any) -> dict[str, Any]:
    docs, queries = source["docs"], source["queries"]
    coll, config = collection(docs, embedder)
    qv = embedder.encode([q[0] for q in queries], batch_size=16)
    found = signals_of(coll, config, queries, qv)
    targets = [q[1] for q in queries]
    out: dict[str, Any] = {"documents": len(docs), "queries": len(queries)}
    for label, cfg in rankings(config).items():
        out[label] = metrics(ranks(found, targets, cfg))
    for lang in sorted({q[3] for q in queries}):
        rows = [i for i, q in enumerate(queries) if q[3] == lang]
        sub = [found[i] for i in rows]
        out[f"default, {lang} queries"] = metrics(ranks(sub, [targets[i] for i in rows], config))
    grid = {a: metrics(ranks(found, targets, replace(config, alpha=a))) for a in ALPHAS}
    out["alpha grid (MRR@10 / R@10 on the labels)"] = {
        a: f"{m['MRR@10']:.3f} / {m['R@10']:.3f}" for a, m in grid.items()
    }
    for split_name, split in (
        ("subject", lambda d: (d[2], d[3])),
        ("half", lambda d: _halves(d[1])),
    ):
        pseudo, items = pseudo_signals(coll, config, docs, split, embedder)
        if not pseudo:
            continue
        mrr = {a: metrics(ranks(pseudo, items, replace(config, alpha=a)))["MRR@10"] for a in ALPHAS}
        pick = max(ALPHAS, key=lambda a: (mrr[a], -abs(a - 0.5)))
        out[f"pseudo-queries '{split_name}' ({len(pseudo)}): MRR@10 per alpha"] = mrr
        out[f"alpha picked by '{split_name}' pseudo-queries = {pick}, on the labels"] = grid[pick]
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--embedder", default="minilm")
    parser.add_argument("--sources", nargs="+", default=["hadoop", "answers"])
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args()
    if not SHARED.is_dir():
        sys.exit(f"{SHARED}: not found; this benchmark needs ../shared/data")
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    from triage.embedding_cache import CachedEmbedder
    from triage.embeddings import load_embedder

    embedder = CachedEmbedder(load_embedder(args.embedder), CACHE)
    loaders = {"hadoop": hadoop_source, "answers": answers_source}
    report: dict[str, Any] = {
        "machine": f"{platform.machine()} {os.cpu_count()} cores, {platform.python_version()}",
        "date": time.strftime("%Y-%m-%d %H:%M"),
        "load_average": os.getloadavg(),
        "embedder": embedder.name,
    }
    for name in args.sources:
        report[name] = evaluate(name, loaders[name](), embedder)
    emit_report(report, args.json)


if __name__ == "__main__":
    main()
