"""Similar tickets and KB articles for the hand-written tickets (real phrasing, nl / en / de).

`tests/data/handwritten_tickets.jsonl` (177 tickets written by hand in the sample taxonomy, blind
to the models) through `triage similar --index IDX --queries q.jsonl --k 5 --json`, the served
defaults, against an index of the generated sample data built by `bench_retrieval_served.py
--source sample` (its `--work` folder holds `idx` and `sample`). No hand-written ticket has a
known article or duplicate, so the labels say whether what is shown is on topic, per language:
- similar@1: the first similar ticket has the ticket's category; same language@1: it is in the
  ticket's language (the index holds Dutch and English only, so a German ticket never can);
- KB@1 / KB@3: the first / any shown article answers the ticket's subcategory (an article's
  subcategory is the one of the sample tickets that link it), and KB language@1;
- empty: no similar ticket / no article shown (strong and weak), and strong only;
- with `--all` (no cut-off): how often the first similar ticket is on topic at all, and the share
  of those on-topic first results that the floor hides.

    .venv/bin/python bench/bench_retrieval_handwritten.py --work W [--json OUT]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

from results_log import emit_report

ROOT = Path(__file__).resolve().parents[1]
HANDWRITTEN = ROOT / "tests" / "data" / "handwritten_tickets.jsonl"
TRIAGE = str(Path(sys.executable).parent / "triage")


def article_subcategories(sample: Path) -> tuple[dict[str, str], dict[str, str], dict[str, str]]:
    """Article -> the subcategory of the sample tickets linking it; article -> language; sample
    ticket -> language."""
    from triage.dataset import read_articles, read_tickets

    links: dict[str, Counter[str]] = {}
    language: dict[str, str] = {}
    for ticket in read_tickets(sample / "tickets.parquet"):
        language[ticket.ticket_id] = ticket.language or ""
        if ticket.kb_article_id and ticket.subcategory:
            links.setdefault(ticket.kb_article_id, Counter())[ticket.subcategory] += 1
    articles = {
        a.article_id: a.language or "" for a in read_articles(sample / "kb_articles.parquet")
    }
    return {a: c.most_common(1)[0][0] for a, c in links.items()}, articles, language


def rate(flags: list[bool]) -> float | None:
    return round(sum(flags) / len(flags), 3) if flags else None


def score(rows: list[tuple[dict[str, Any], dict[str, Any]]], maps: tuple[Any, ...]) -> dict:
    """On-topic and empty rates of what `triage similar` showed for these tickets."""
    subcategory_of, article_language, ticket_language = maps
    similar = [(t, r["similar"]) for t, r in rows]
    kb = [(t, r["kb"]) for t, r in rows]
    first = [(t, s[0]) for t, s in similar if s]
    kb_first = [(t, k[0]) for t, k in kb if k]
    return {
        "tickets": len(rows),
        "similar_empty": rate([not s for _, s in similar]),
        "similar_strong_empty": rate(
            [not [x for x in s if x["relevance"] == "strong"] for _, s in similar]
        ),
        "similar@1_category": rate([s["category"] == t["category"] for t, s in first]),
        "similar@1_same_language": rate(
            [ticket_language.get(s["ticket_id"]) == t["language"] for t, s in first]
        ),
        "kb_empty": rate([not k for _, k in kb]),
        "kb_strong_empty": rate([not [x for x in k if x["relevance"] == "strong"] for _, k in kb]),
        "kb@1_subcategory": rate(
            [subcategory_of.get(k["article_id"]) == t["subcategory"] for t, k in kb_first]
        ),
        "kb@3_subcategory": rate(
            [
                t["subcategory"] in {subcategory_of.get(a["article_id"]) for a in k}
                for t, k in kb
                if k
            ]
        ),
        "kb@1_same_language": rate(
            [article_language.get(k["article_id"]) == t["language"] for t, k in kb_first]
        ),
    }


def hidden_on_topic(rows: list[tuple[dict[str, Any], dict[str, Any]]], ungated: list) -> dict:
    """First similar ticket without a cut-off: on topic how often, and hidden by the floor how
    often when on topic."""
    on_topic = [
        (t, r)
        for (t, r), u in zip(rows, ungated, strict=True)
        if u["similar"] and u["similar"][0]["category"] == t["category"]
    ]
    return {
        "first_similar_on_topic_without_cutoff": rate(
            [
                bool(u["similar"]) and u["similar"][0]["category"] == t["category"]
                for (t, _), u in zip(rows, ungated, strict=True)
            ]
        ),
        "on_topic_first_similar_hidden_by_floor": rate([not r["similar"] for _, r in on_topic]),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--work", type=Path, required=True, help="bench_retrieval_served --work")
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args()
    index, sample = args.work / "idx", args.work / "sample"
    if not (index / "retriever.json").is_file() or not HANDWRITTEN.is_file():
        sys.exit(f"{index}: no index; run bench_retrieval_served.py --source sample first")
    tickets = [json.loads(line) for line in HANDWRITTEN.read_text(encoding="utf-8").splitlines()]
    queries = args.work / "handwritten.jsonl"
    queries.write_text(
        "".join(
            json.dumps({"id": t["ticket_id"], "text": f"{t['subject']}\n{t['body']}".strip()})
            + "\n"
            for t in tickets
        ),
        encoding="utf-8",
    )
    ask = [TRIAGE, "similar", "--index", str(index), "--queries", str(queries), "--k", "5"]
    done = subprocess.run([*ask, "--json"], capture_output=True, text=True, check=True)
    answer = json.loads(done.stdout)
    rows = list(zip(tickets, answer["results"], strict=True))
    done = subprocess.run([*ask, "--all", "--json"], capture_output=True, text=True, check=True)
    ungated = json.loads(done.stdout)["results"]
    maps = article_subcategories(sample)
    manifest = json.loads((index / "retriever.json").read_text())
    report = {
        "machine": f"{platform.machine()} {os.cpu_count()} cores, {platform.python_version()}",
        "date": time.strftime("%Y-%m-%d %H:%M"),
        "load_average": os.getloadavg(),
        "embedder": manifest["embedder"],
        "cutoff": answer["cutoff"],
        "all": {**score(rows, maps), **hidden_on_topic(rows, ungated)},
        **{
            lang: score([r for r in rows if r[0]["language"] == lang], maps)
            for lang in sorted({t["language"] for t in tickets})
        },
    }
    emit_report(report, args.json)


if __name__ == "__main__":
    main()
