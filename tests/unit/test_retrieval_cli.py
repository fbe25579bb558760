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
    from training.cli import app

    (root / "bad.jsonl").write_text('{"text": "no id"}\n')
    args = ["similar", "--index", str(index), "--queries", str(root / "bad.jsonl")]
    result = CliRunner().invoke(app, args)
    said = " ".join(result.output.split())
    assert result.exit_code == 2 and "Traceback" not in said
    assert "bad.jsonl:1:" in said and '"id"' in said, said


def test_retrieval_cli_remove_then_add_back(built: tuple[Path, Path]) -> None:
    root, index = built
    assert _run("index", "remove", "CODE1", "--index", str(index), "--json")[0] == 0
    assert _run("index", "remove", "CODE1", "--index", str(index))[0] == 2
    ask = ("similar", "outlook error 0x80070005", "--index", str(index), "--all", "--json")
    code, out = _run(*ask)
    shown = json.loads(out)["results"][0]["similar"]
    assert code == 0 and shown  # other tickets still answer; CODE1 is not among them
    assert all(s["ticket_id"] != "CODE1" for s in shown)
    code, out = _run(
        "index", "add", "--index", str(index), "--data", str(root / "tickets.parquet"), "--json"
    )
    assert code == 0 and json.loads(out)["added"] == 31
    code, out = _run(*ask)
    assert code == 0 and json.loads(out)["results"][0]["similar"][0]["ticket_id"] == "CODE1"


def test_retrieval_cli_kb_import_adds_articles(built: tuple[Path, Path]) -> None:
    root, index = built
    (root / "kb.csv").write_text(
        "id,title,body\nKB-X,Plotter smears ink,Replace the xq-55 ink head.\n"
    )
    code, out = _run("kb", "import", str(root / "kb.csv"), "--index", str(index), "--json")
    assert code == 0 and json.loads(out)["articles"] == 5
    code, out = _run("similar", "xq-55 plotter smears ink", "--index", str(index), "--json")
    assert json.loads(out)["results"][0]["kb"][0]["article_id"] == "KB-X"


def test_retrieval_cli_similar_says_which_cut_off_it_applied(built: tuple[Path, Path]) -> None:
    _, index = built
    code, out = _run("similar", "vpn drops every few minutes", "--index", str(index), "--json")
    body = json.loads(out)
    assert code == 0 and body["cutoff"]["tickets"]["cutoff"] == "floor"
    assert body["cutoff"]["tickets"]["source"] == "calibrated"
    assert {s["relevance"] for s in body["results"][0]["similar"]} <= {"strong", "weak"}


def test_retrieval_cli_similar_all_shows_k_results_for_an_unrelated_text(
    built: tuple[Path, Path],
) -> None:
    _, index = built
    unrelated = ("similar", "quarterly marketing budget cafeteria menu", "--index", str(index))
    assert json.loads(_run(*unrelated, "--json")[1])["results"][0]["similar"] == []
    code, out = _run(*unrelated, "--k", "4", "--all", "--json")
    body = json.loads(out)
    assert code == 0 and len(body["results"][0]["similar"]) == 4
    assert body["cutoff"]["tickets"] == {
        "cutoff": "none",
        "value": None,
        "source": "every result asked for",
    }


def test_retrieval_cli_min_relevance_strong_and_numbers(built: tuple[Path, Path]) -> None:
    _, index = built
    ask = ("similar", "printer jammed with paper error", "--index", str(index), "--k", "10")
    shown = json.loads(_run(*ask, "--json")[1])["results"][0]["similar"]
    assert {s["relevance"] for s in shown} == {"strong", "weak"}  # the cut has something to drop
    strong = json.loads(_run(*ask, "--min-relevance", "strong", "--json")[1])
    assert strong["cutoff"]["tickets"]["cutoff"] == "strong"
    assert strong["results"][0]["similar"] == [s for s in shown if s["relevance"] == "strong"]
    assert all(s["relevance"] == "strong" for s in strong["results"][0]["similar"])
    high = json.loads(_run(*ask, "--min-relevance", "0.99", "--json")[1])
    assert high["results"][0]["similar"] == [] and high["cutoff"]["kb"]["value"] == 0.99
    assert _run(*ask, "--min-relevance", "medium")[0] == 2
    assert _run(*ask, "--min-relevance", "7")[0] == 2  # a typo for 0.7 found nothing, exit 0
    assert _run(*ask, "--min-relevance", "strong", "--all")[0] == 2


def test_retrieval_cli_build_reads_known_pairs(built: tuple[Path, Path], tmp_path: Path) -> None:
    root, _ = built
    args = ["index", "build", "--data", str(root / "tickets.parquet"), "--embedder", "hashing-64"]
    (tmp_path / "bad.jsonl").write_text('{"query": "T1"}\n')
    bad = _run(*args, "--out", str(tmp_path / "bad"), "--pairs", str(tmp_path / "bad.jsonl"))
    assert bad[0] == 2
    pairs = "".join(f'{{"query": "T{n}", "related": "T{n + 1}"}}\n' for n in range(1, 12))
    (tmp_path / "pairs.jsonl").write_text(pairs)
    code, out = _run(
        *args, "--out", str(tmp_path / "ok"), "--pairs", str(tmp_path / "pairs.jsonl"), "--json"
    )
    sources = json.loads(out)["calibration"]["tickets"]["floor"]["sources"]
    assert code == 0 and sources["supplied pairs"]["queries"] == 11
    from training.cli import app

    (tmp_path / "mixed.jsonl").write_text(pairs + '{"query": "NOPE-0", "related": "T1"}\n')
    mixed = [*args, "--out", str(tmp_path / "mixed"), "--pairs", str(tmp_path / "mixed.jsonl")]
    result = CliRunner().invoke(app, mixed)
    assert result.exit_code == 0, result.output
    note = " ".join(result.stderr.split())
    assert "1 of 12 name a ticket id not in --data (e.g. 'NOPE-0')" in note, note


def test_retrieval_cli_build_calibrates_on_near_duplicates_flagged_at_import(
    tmp_path: Path,
) -> None:
    import csv

    rows = []
    for n in range(12):  # twelve pairs: the second repeats the first but for its last word
        words = (
            f"the nightly backup job {n} on server srv-{n:02d} failed with a disk quota exceeded"
            " error while copying the finance share to the tape library in the basement room"
            " and the operators saw the same message in the console log"
        )
        for copy, tail in enumerate(("tonight", "today")):
            rows.append(
                {
                    "ticket_id": f"D{n}-{copy}",
                    "subject": f"backup {n} failed",
                    "body": f"{words} {tail}",
                    "status": "resolved",
                    "solution": f"raised quota {n}",
                }
            )
    with (tmp_path / "t.csv").open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    code, out = _run(
        "index", "build", "--data", str(tmp_path / "t.csv"), "--mapping", "triage",
        "--out", str(tmp_path / "idx"), "--embedder", "hashing-64", "--json",
    )  # fmt: skip
    assert code == 0, out
    sources = json.loads(out)["calibration"]["tickets"]["floor"]["sources"]
    assert sources["supplied pairs"]["queries"] >= 10


def test_retrieval_cli_add_counts_replaced_and_removed_and_refuses_repeated_ids(
    built: tuple[Path, Path],
) -> None:
    """`index add` said `added: 0, skipped_unsolved: 5` while it removed 5 indexed tickets
    that came back unsolved, and let a repeated id overwrite the first row's text unsaid."""
    from triage.dataset import read_tickets, write_tickets
    from triage.schema import Status

    root, index = built
    tickets = read_tickets(root / "tickets.parquet")
    solved = [t for t in tickets if t.status in (Status.RESOLVED, Status.CLOSED)][:3]
    reopened = [solved[0].replace(status=Status.IN_PROGRESS, solution=None)]
    data = write_tickets([*reopened, *solved[1:]], root / "changes.parquet")
    code, out = _run("index", "add", "--index", str(index), "--data", str(data), "--json")
    summary = json.loads(out)
    assert code == 0, out
    assert (summary["added"], summary["replaced"], summary["removed_unsolved"]) == (2, 2, 1)
    assert summary["skipped_unsolved"] == 0
    twice = write_tickets([solved[1], solved[1].replace(body="other")], root / "twice.parquet")
    from training.cli import app

    result = CliRunner().invoke(app, ["index", "add", "--index", str(index), "--data", str(twice)])
    assert result.exit_code == 2 and "occur more than once" in " ".join(result.output.split())
    assert solved[1].ticket_id in result.output
    build = ["index", "build", "--data", str(twice), "--out", str(root / "twice-index")]
    result = CliRunner().invoke(app, [*build, "--embedder", "hashing-1024"])
    assert result.exit_code == 2 and "occur more than once" in " ".join(result.output.split())
    assert not (root / "twice-index").exists()


def test_retrieval_cli_counts_rejected_rows_and_refuses_non_utf8_queries(
    built: tuple[Path, Path], tmp_path: Path
) -> None:
    """Rows an import rejects are said on stderr (`tickets: 2` alone hid a third row), and a
    query file that is not UTF-8 is an exit-2 message, not a UnicodeDecodeError."""
    from training.cli import app

    _, index = built
    export = tmp_path / "export.csv"
    export.write_text(
        "ticket_id,subject,body,status,solution\n"
        "X-1,vpn down,drops every hour,resolved,new client\n"
        "X-2,printer,jams on floor 2,resolved,new roller\n"
        ",no id,this row has no ticket id,resolved,none\n"
    )
    args = ["index", "build", "--data", str(export), "--mapping", "triage"]
    result = CliRunner().invoke(app, [*args, "--out", str(tmp_path / "i"), "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["tickets"] == 2
    note = " ".join(result.stderr.split())
    assert "read 3, accepted 2, rejected 1; first: line 4 (missing_id)" in note, note
    binary = tmp_path / "q.jsonl"
    binary.write_bytes(b'\xff\xfe{"id": "q", "text": "x"}\n')
    result = CliRunner().invoke(app, ["similar", "--index", str(index), "--queries", str(binary)])
    assert result.exit_code == 2 and "not UTF-8 text" in " ".join(result.output.split())
