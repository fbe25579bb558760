"""Similar tickets and KB articles as served: the `triage` CLI with its default settings.

`--source hadoop` (issue 10's path): every issue of `hadoop_bugs.csv` imported with the preset
mapping changed to `status: {constant: resolved}` and `solution: {column: Resolution}` (the 1,733
issues with a Jira resolution become searchable), `triage index build --data ... --mapping ...
--out idx`, then every query of `hadoop_bugs-combined.csv` (each `Duplicate id`; one row lists
two, 127 in all) as its imported ticket text through `triage similar --index idx --queries
q.jsonl --k 11 --json`; the query itself is dropped and the first 10 remain. Recall@10 and
MRR@10 count the `Issue id` among what the agent sees (strong and weak results) and among strong
results only, over the queries whose target is searchable (a target without a resolution is not
indexed) and over all 127; the same with `--all` (no cut-off) for reference. 300 tickets of
it_service_tickets_48k (an IT service desk's: another domain) ask: is the list empty?

`--source sample`: the generated sample data (`triage data generate --seed 42`, 20,000 tickets,
into `--work` when absent), split by `created_at`: the oldest 80% and all KB articles through
`triage index build --data train.parquet --kb kb_articles.parquet`, the newest 20% as queries
through `triage similar --k 3` (its KB list is the top 3). A query with a `kb_article_id` asks:
is that article first / in the list (strong and weak; strong only), per language? 300
hadoop_bugs issues (summary and description: a software bug tracker, nothing a municipality's
IT desk answers) ask: is the list empty?

    .venv/bin/python bench/bench_retrieval_served.py --source hadoop|sample --work DIR
        [--embedder SPEC] [--reuse-index] [--json OUT]

Before/after in one run: the same command with `PYTHONPATH` set to an export of the code before
(`git archive <commit> | tar -x -C DIR`) runs that code's `triage` (the editable install's
finder comes after `PYTHONPATH`); its results carry no `relevance`, so all count as strong.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml
from results_log import emit_report

ROOT = Path(__file__).resolve().parents[1]
HADOOP = ROOT.parent / "shared" / "data" / "hadoop_bugs"
IT48K = ROOT.parent / "shared" / "data" / "it_service_tickets_48k"
TRIAGE = str(Path(sys.executable).parent / "triage")
TOP = 10


def run_cli(*args: str, optional: bool = False) -> tuple[dict[str, Any], float]:
    """Run `triage ARGS --json`; its JSON summary and wall seconds (an empty summary when an
    `optional` command fails, e.g. `--all` on a `triage` from before issue 10)."""
    start = time.perf_counter()
    done = subprocess.run([TRIAGE, *args, "--json"], capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        if optional:
            return {}, seconds
        sys.exit(f"triage {' '.join(args)} failed ({done.returncode}): {done.stderr[-2000:]}")
    return json.loads(done.stdout), seconds


def build_index(index: Path, reuse: bool, *args: str) -> dict[str, Any]:
    """`triage index build ARGS --out index` (unless reused); its seconds and summary."""
    if reuse and (index / "retriever.json").is_file():
        return {"reused": True}
    summary, seconds = run_cli("index", "build", *args, "--out", str(index))
    return {"seconds": round(seconds, 1), "summary": summary}


def write_jsonl(rows: list[dict[str, str]], out: Path) -> Path:
    out.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return out


def rate(flags: list[bool]) -> float:
    return round(sum(flags) / max(len(flags), 1), 3)


# -- hadoop duplicates ---------------------------------------------------------------------------
def write_mapping(out: Path) -> Path:
    """The `hadoop_bugs` preset with every issue resolved and Jira's resolution as solution."""
    from importlib import resources

    preset = resources.files("triage.ingest") / "presets" / "hadoop_bugs.yaml"
    mapping = yaml.safe_load(preset.read_text(encoding="utf-8"))
    mapping["name"] = "hadoop_bugs_solved"
    mapping["fields"]["status"] = {"constant": "resolved"}
    mapping["fields"]["solution"] = {"column": "Resolution"}
    out.write_text(yaml.safe_dump(mapping, sort_keys=False), encoding="utf-8")
    return out


def hadoop_pairs(mapping: Path) -> tuple[list[tuple[str, str]], dict[str, str]]:
    """(query id, target id) per duplicate row and each issue's imported text."""
    import pandas as pd

    from triage import ingest

    tickets = ingest.read_tickets(HADOOP / "hadoop_bugs.csv", ingest.load_mapping(mapping)).tickets
    rows = pd.read_csv(HADOOP / "hadoop_bugs-combined.csv", dtype=str)
    pairs = [
        (dup.strip(), issue)
        for issue, dups in zip(rows["Issue id"], rows["Duplicate id"], strict=True)
        for dup in dups.split(",")
    ]
    return pairs, {t.ticket_id: t.text for t in tickets}


def ranks(results: list[dict[str, Any]], pairs: list[tuple[str, str]], strong: bool) -> list[float]:
    """1-based rank of each target among the first 10 shown (the query dropped); inf if absent."""
    out = []
    for result, (query, target) in zip(results, pairs, strict=True):
        shown = [
            s["ticket_id"]
            for s in result["similar"]
            if s["ticket_id"] != query and (not strong or _strong(s))
        ][:TOP]
        out.append(shown.index(target) + 1.0 if target in shown else float("inf"))
    return out


def _strong(result: dict[str, Any]) -> bool:
    # Before issue 10 every result shown had passed the one cut-off: count it as strong.
    return result.get("relevance", "strong") == "strong"


def recall_mrr(rank_list: list[float]) -> dict[str, float]:
    """Recall@10 and MRR@10 from ranks."""
    n = max(len(rank_list), 1)
    return {
        "queries": len(rank_list),
        "recall@10": round(sum(r <= TOP for r in rank_list) / n, 3),
        "mrr@10": round(sum(1 / r for r in rank_list if r <= TOP) / n, 3),
    }


def duplicate_scores(
    results: list[dict[str, Any]], pairs: list[tuple[str, str]], indexed: set[str]
) -> dict[str, Any]:
    """Metrics over searchable targets and over all queries, shown and strong only."""
    out: dict[str, Any] = {}
    for view, strong in (("shown", False), ("strong_only", True)):
        r = ranks(results, pairs, strong)
        searchable = [x for x, (_, t) in zip(r, pairs, strict=True) if t in indexed]
        out[view] = {"target_indexed": recall_mrr(searchable), "all_queries": recall_mrr(r)}
    shown = [
        min(len([s for s in x["similar"] if s["ticket_id"] != q]), TOP)
        for x, (q, _) in zip(results, pairs, strict=True)
    ]
    out["results_per_query"] = round(sum(shown) / max(len(shown), 1), 2)
    out["empty_rate"] = rate([s == 0 for s in shown])
    return out


def indexed_ids(index: Path) -> set[str]:
    """Ticket ids in a saved index (its dense records)."""
    records = json.loads((index / "tickets" / "dense" / "records.json").read_text())
    return set(records["ids"])


def hadoop(work: Path, embedder: list[str], reuse: bool) -> dict[str, Any]:
    mapping = write_mapping(work / "mapping.yaml")
    pairs, text = hadoop_pairs(mapping)
    queries = write_jsonl(
        [{"id": f"{n}:{q}", "text": text[q]} for n, (q, _) in enumerate(pairs)], work / "q.jsonl"
    )
    index = work / "idx"
    csv = str(HADOOP / "hadoop_bugs.csv")
    build = build_index(index, reuse, "--data", csv, "--mapping", str(mapping), *embedder)
    ask = ("similar", "--index", str(index), "--queries", str(queries), "--k", "11")
    served, seconds = run_cli(*ask)
    ungated, _ = run_cli(*ask, "--all", optional=True)
    indexed = indexed_ids(index)
    texts = it_tickets()
    unrelated = write_jsonl(
        [{"id": f"u{n}", "text": t} for n, t in enumerate(texts)], work / "unrelated.jsonl"
    )
    found, _ = run_cli("similar", "--index", str(index), "--queries", str(unrelated), "--k", "10")
    return {
        "unrelated_it_tickets": {
            "queries": len(texts),
            "similar_empty": rate([not r["similar"] for r in found["results"]]),
        },
        "indexed": len(indexed),
        "queries": len(pairs),
        "queries_with_target_indexed": sum(t in indexed for _, t in pairs),
        "build": build,
        "similar_seconds": round(seconds, 1),
        "cutoff": served.get("cutoff"),
        "served": duplicate_scores(served["results"], pairs, indexed),
        "no_cutoff": duplicate_scores(ungated["results"], pairs, indexed) if ungated else None,
    }


def it_tickets(n: int = 300) -> list[str]:
    """`n` it_service_tickets_48k tickets: an IT service desk, another domain than a bug tracker."""
    import pandas as pd

    frame = pd.read_csv(IT48K / "all_tickets_processed_improved_v3.csv", dtype=str)
    return frame["Document"].dropna().sample(n, random_state=0).str.strip().tolist()


# -- sample KB -----------------------------------------------------------------------------------
def sample_split(data: Path, work: Path) -> tuple[Path, list[Any]]:
    """Write the oldest 80% as train.parquet; the newest 20% (the queries)."""
    from triage.dataset import read_tickets, write_tickets

    tickets = sorted(read_tickets(data / "tickets.parquet"), key=lambda t: t.created_at)
    cut = int(len(tickets) * 0.8)
    return write_tickets(tickets[:cut], work / "train.parquet"), tickets[cut:]


def kb_scores(results: list[dict[str, Any]], tickets: list[Any]) -> dict[str, Any]:
    """KB hit@1 / hit@3 and empty rate for tickets with an article, overall and per language."""

    def view(keep: Callable[[Any], bool], strong: bool) -> dict[str, Any]:
        rows = [
            ([a["article_id"] for a in r["kb"] if not strong or _strong(a)], t)
            for r, t in zip(results, tickets, strict=True)
            if t.kb_article_id and keep(t)
        ]
        return {
            "queries": len(rows),
            "hit@1": rate([bool(ids) and ids[0] == t.kb_article_id for ids, t in rows]),
            "hit@3": rate([t.kb_article_id in ids[:3] for ids, t in rows]),
            "empty": rate([not ids for ids, _ in rows]),
        }

    out: dict[str, Any] = {}
    for strong in (False, True):
        name = "strong_only" if strong else "shown"
        out[name] = {"all": view(lambda t: True, strong)}
        for lang in sorted({t.language for t in tickets if t.language}):
            out[name][lang] = view(lambda t, lang=lang: t.language == lang, strong)
    without = [r for r, t in zip(results, tickets, strict=True) if not t.kb_article_id]
    out["without_kb_article_empty"] = rate([not r["kb"] for r in without])
    out["similar_empty"] = rate([not r["similar"] for r in results])
    return out


def hadoop_texts(n: int = 300) -> list[str]:
    """`n` hadoop_bugs issues (summary and description), a fixed sample."""
    import pandas as pd

    issues = pd.read_csv(HADOOP / "hadoop_bugs.csv", dtype=str).sample(n, random_state=0)
    texts = issues["Summary"].fillna("") + "\n" + issues["Description"].fillna("")
    return texts.str.strip().str.slice(0, 4000).tolist()


def sample(work: Path, embedder: list[str], reuse: bool) -> dict[str, Any]:
    data = work / "sample"
    if not (data / "tickets.parquet").is_file():
        run_cli("data", "generate", "--tickets", "20000", "--seed", "42", "--out", str(data))
    train, test = sample_split(data, work)
    queries = write_jsonl([{"id": t.ticket_id, "text": t.text} for t in test], work / "q.jsonl")
    index = work / "idx"
    kb = str(data / "kb_articles.parquet")
    build = build_index(index, reuse, "--data", str(train), "--kb", kb, *embedder)
    ask = ("similar", "--index", str(index), "--k", "3")
    served, seconds = run_cli(*ask, "--queries", str(queries))
    report: dict[str, Any] = {
        "indexed": build.get("summary", {}).get("tickets"),
        "queries": len(test),
        "build": build,
        "similar_seconds": round(seconds, 1),
        "cutoff": served.get("cutoff"),
        "kb": kb_scores(served["results"], test),
    }
    if (HADOOP / "hadoop_bugs.csv").is_file():
        texts = hadoop_texts()
        unrelated = write_jsonl(
            [{"id": f"h{n}", "text": t} for n, t in enumerate(texts)], work / "unrelated.jsonl"
        )
        found, _ = run_cli(*ask, "--queries", str(unrelated))
        report["unrelated_hadoop"] = {
            "queries": len(texts),
            "kb_empty": rate([not r["kb"] for r in found["results"]]),
            "similar_empty": rate([not r["similar"] for r in found["results"]]),
        }
    return report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--source", choices=("hadoop", "sample"), default="hadoop")
    parser.add_argument("--work", type=Path, default=Path("/tmp/triage-served"))
    parser.add_argument("--embedder", default=None, help="--embedder for `index build`")
    parser.add_argument("--reuse-index", action="store_true", help="keep an index built earlier")
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args()
    if args.source == "hadoop" and not (HADOOP / "hadoop_bugs.csv").is_file():
        sys.exit(f"{HADOOP}: hadoop_bugs not found; this benchmark needs ../shared/data")
    args.work.mkdir(parents=True, exist_ok=True)
    embedder = ["--embedder", args.embedder] if args.embedder else []
    run = hadoop if args.source == "hadoop" else sample
    report = {
        "machine": f"{platform.machine()} {os.cpu_count()} cores, {platform.python_version()}",
        "date": time.strftime("%Y-%m-%d %H:%M"),
        "load_average_before": os.getloadavg(),
        "source": args.source,
        "embedder": args.embedder or "CLI default",
        **run(args.work, embedder, args.reuse_index),
        "load_average_after": os.getloadavg(),
    }
    emit_report(report, args.json)


if __name__ == "__main__":
    main()
