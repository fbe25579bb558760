"""`triage index build|add|remove`, `triage similar`, `triage kb import` through the Typer app."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

# tests/unit is on sys.path (pytest's default import mode, no __init__.py): reuse the tickets.
from test_retrieval_retriever import ARTICLES, _tickets
from typer.testing import CliRunner

from triage.dataset import write_articles, write_tickets


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    from training.cli import app

    root = tmp_path_factory.mktemp("cli")
    write_tickets(_tickets(), root / "tickets.parquet")
    write_articles(ARTICLES, root / "kb_articles.parquet")
    args = [
        "index",
        "build",
        "--data",
        str(root / "tickets.parquet"),
        "--kb",
        str(root / "kb_articles.parquet"),
        "--out",
        str(root / "ret"),
        "--embedder",
        "hashing-1024",
        "--json",
    ]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["tickets"] == 31 and summary["articles"] == 4
    return root, root / "ret"


def _run(*args: str) -> tuple[int, str]:
    from training.cli import app

    result = CliRunner().invoke(app, list(args))
    return result.exit_code, result.stdout


def test_retrieval_cli_similar_answers_a_file_of_queries(built: tuple[Path, Path]) -> None:
    root, index = built
    queries = root / "q.jsonl"
    queries.write_text(
        '{"id": "q1", "text": "outlook error 0x80070005"}\n'
        '{"id": "q2", "text": "quarterly marketing budget cafeteria menu"}\n'
    )
    code, out = _run(
        "similar", "--index", str(index), "--queries", str(queries), "--k", "2", "--json"
    )
    assert code == 0
    results = {r["id"]: r for r in json.loads(out)["results"]}
    assert results["q1"]["similar"][0]["ticket_id"] == "CODE1"
    assert results["q2"]["similar"] == [] and results["q2"]["kb"] == []


def test_retrieval_cli_bad_query_line_exits_2(built: tuple[Path, Path]) -> None:
    root, index = built
    (root / "bad.jsonl").write_text('{"text": "no id"}\n')
    code, _ = _run("similar", "--index", str(index), "--queries", str(root / "bad.jsonl"))
    assert code == 2


def test_retrieval_cli_remove_then_add_back(built: tuple[Path, Path]) -> None:
    root, index = built
    assert _run("index", "remove", "CODE1", "--index", str(index), "--json")[0] == 0
    assert _run("index", "remove", "CODE1", "--index", str(index))[0] == 2
    code, out = _run("similar", "outlook error 0x80070005", "--index", str(index), "--json")
    assert all(s["ticket_id"] != "CODE1" for s in json.loads(out)["results"][0]["similar"])
    code, out = _run(
        "index", "add", "--index", str(index), "--data", str(root / "tickets.parquet"), "--json"
    )
    assert code == 0 and json.loads(out)["added"] == 31


def test_retrieval_cli_kb_import_adds_articles(built: tuple[Path, Path]) -> None:
    root, index = built
    (root / "kb.csv").write_text(
        "id,title,body\nKB-X,Plotter smears ink,Replace the xq-55 ink head.\n"
    )
    code, out = _run("kb", "import", str(root / "kb.csv"), "--index", str(index), "--json")
    assert code == 0 and json.loads(out)["articles"] == 5
    code, out = _run("similar", "xq-55 plotter smears ink", "--index", str(index), "--json")
    assert json.loads(out)["results"][0]["kb"][0]["article_id"] == "KB-X"
