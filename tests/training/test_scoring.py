"""`triage score` (local engine), the pyfunc's optional inputs and `triage index backfill`."""

from __future__ import annotations

import csv
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import mlflow.pyfunc
import pandas as pd
import pytest
from click.testing import Result
from tiny_data import make_tickets, tiny_scoring_bundle
from typer.testing import CliRunner

from training.cli import app
from training.pyfunc import save_pyfunc
from triage.dataset import write_tickets
from triage.embeddings import HashingEmbedder
from triage.retrieval.retriever import Retriever
from triage.schema import Status, Ticket
from triage.triager import Triager

TARGETS = ("category", "priority", "support_line")


@pytest.fixture(scope="module")
def bundle(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A tiny bundle (hashing embedder) with a similar-ticket index over its 240 tickets."""
    return tiny_scoring_bundle(tmp_path_factory.mktemp("score") / "bundle", 240, "tiny-score")


@pytest.fixture(scope="module")
def tickets() -> list[Ticket]:
    """Tickets to score: 200 fresh ones plus 20 of the indexed ones (ids T00000-T00019)."""
    fresh = [t.replace(ticket_id=f"N{i:04d}") for i, t in enumerate(make_tickets(200, seed=3))]
    return fresh + make_tickets(240, seed=0)[:20]


def run(*args: str) -> Result:
    return CliRunner().invoke(app, [*args], catch_exceptions=False)


def said(result: Result) -> str:
    """The command's output as one line (rich wraps long error messages)."""
    return " ".join(result.output.split())


def score_cli(data: Path, out: Path, bundle: Path, *extra: str) -> dict:
    result = run(
        "score", "--data", str(data), "--out", str(out), "--bundle", str(bundle), *extra, "--json"
    )
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_score_local_writes_every_row_as_predict_many_answers(
    bundle: Path, tickets: list[Ticket], tmp_path: Path
) -> None:
    data = write_tickets(tickets, tmp_path / "tickets.parquet")
    summary = score_cli(data, tmp_path / "scores", bundle, "--k-similar", "3")
    assert summary["rows"] == len(tickets) and summary["k_similar"] == 3
    scores = pd.read_parquet(tmp_path / "scores")
    assert_rows_are_predict_many(scores, bundle, tickets)
    assert (scores["category"] == [t.category for t in tickets]).mean() > 0.95


def assert_rows_are_predict_many(scores: pd.DataFrame, bundle: Path, tickets: list[Ticket]) -> None:
    """Every written row is what `predict_many` answers for the ticket, in input order."""
    assert scores["ticket_id"].tolist() == [t.ticket_id for t in tickets]
    expected = Triager.load(bundle).predict_many(tickets)
    for target in TARGETS:
        assert scores[target].tolist() == [r.predictions[target].label for r in expected]
        confidences = [r.predictions[target].confidence for r in expected]
        assert scores[f"{target}_confidence"].tolist() == pytest.approx(confidences, abs=1e-9)
        actions = [r.predictions[target].action.value for r in expected]
        assert scores[f"{target}_action"].tolist() == actions


def test_score_local_similar_ids_leave_the_ticket_itself_out(
    bundle: Path, tickets: list[Ticket], tmp_path: Path
) -> None:
    data = write_tickets(tickets, tmp_path / "tickets.parquet")
    score_cli(data, tmp_path / "scores", bundle)
    scores = pd.read_parquet(tmp_path / "scores").set_index("ticket_id")
    indexed = {f"T{i:05d}" for i in range(240)}  # the bundle's index: make_tickets(240)
    for ticket_id, similar in scores["similar_ids"].items():
        assert len(similar) <= 5 and ticket_id not in similar
        assert set(similar) <= indexed
    # an indexed ticket finds neighbours, not itself: its own copy would rank first
    assert all(len(scores.loc[f"T{i:05d}", "similar_ids"]) == 5 for i in range(20))


def test_score_local_reads_a_folder_of_part_files_and_a_mapped_csv(
    bundle: Path, tickets: list[Ticket], tmp_path: Path
) -> None:
    parts = tmp_path / "parts"
    write_tickets(tickets[:100], parts / "part-0.parquet")
    write_tickets(tickets[100:], parts / "part-1.parquet")
    from_parts = score_cli(parts, tmp_path / "a", bundle)
    csv_file = tmp_path / "export.csv"
    with csv_file.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["ticket_id", "subject", "body", "channel"])
        writer.writerows([t.ticket_id, t.subject, t.body, t.channel] for t in tickets)
        writer.writerow(["BAD-1", "", "", "email"])  # no text: rejected, and reported
    mapped = score_cli(csv_file, tmp_path / "b", bundle, "--mapping", "triage")
    assert from_parts["rows"] == len(tickets) == mapped["rows"]
    assert mapped["import"] == {"read": len(tickets) + 1, "rejected": 1}
    report = json.loads((tmp_path / "b" / "_import_report.json").read_text())
    assert report["errors"][0]["code"] == "missing_text"
    a, b = pd.read_parquet(tmp_path / "a"), pd.read_parquet(tmp_path / "b")
    assert a["ticket_id"].tolist() == b["ticket_id"].tolist()
    assert a["category"].tolist() == b["category"].tolist()


def test_score_cli_bad_input_exits_2_with_what_to_do(bundle: Path, tmp_path: Path) -> None:
    no_text = tmp_path / "ids.parquet"
    pd.DataFrame({"ticket_id": ["a"], "subject": ["vpn"]}).to_parquet(no_text)
    garbage = tmp_path / "garbage.parquet"
    garbage.write_bytes(b"not parquet at all")
    cases = {
        str(no_text): "missing column(s) ['body']",
        str(garbage): "not a readable Parquet file",
        str(tmp_path / "absent.parquet"): "no such file",
    }
    for data, message in cases.items():
        result = run("score", "--data", data, "--out", str(tmp_path / "o"), "--bundle", str(bundle))
        assert result.exit_code == 2, result.output
        assert message in said(result) and "Traceback" not in said(result)
        assert not (tmp_path / "o").exists()


def test_score_keeps_integer_ids_digit_for_digit_and_refuses_non_text_columns(
    bundle: Path, tmp_path: Path
) -> None:
    """An export written by Spark or polars (no pandas metadata) with int64 ids and a null:
    pandas alone made them float64, 12345678901234567 and ...68 both 1.2345678901234568e+16."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    ids = pa.array([12345678901234567, 12345678901234568, None, 1004], pa.int64())
    texts = ["vpn drops", "printer jams", "mail bounces", "laptop slow"]
    table = pa.table({"ticket_id": ids, "subject": texts, "body": texts})
    pq.write_table(table, tmp_path / "ints.parquet")
    summary = score_cli(tmp_path / "ints.parquet", tmp_path / "scores", bundle)
    written = pq.read_table(tmp_path / "scores").column("ticket_id").to_pylist()
    assert summary["rows"] == 4
    assert written == ["12345678901234567", "12345678901234568", None, "1004"]
    cases = {
        "ticket_id": pa.array([1.5, 2.5]),  # a float id is no id
        "subject": pa.array([1, 2]),
        "body": pa.array([True, False]),
    }
    for column, values in cases.items():
        data = {"ticket_id": ["a", "b"], "subject": ["x", "y"], "body": ["x", "y"]}
        bad = pa.table({**{k: pa.array(v) for k, v in data.items()}, column: values})
        pq.write_table(bad, tmp_path / f"{column}.parquet")
        out = tmp_path / f"o-{column}"
        result = run(
            "score",
            "--data",
            str(tmp_path / f"{column}.parquet"),
            "--out",
            str(out),
            "--bundle",
            str(bundle),
        )
        assert result.exit_code == 2, result.output
        assert f"column {column} has type {values.type}" in said(result)
        assert not out.exists()


def test_score_reports_rows_that_cannot_be_joined_back(bundle: Path, tmp_path: Path) -> None:
    """Null, empty and repeated ids are scored (no row is lost) and counted, with a warning."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    ids = ["a", "a", None, "", "b", "a"]
    texts = ["vpn drops", "printer jams", "mail bounces", "laptop slow", "disk full", "no wifi"]
    pq.write_table(
        pa.table({"ticket_id": ids, "subject": texts, "body": texts}), tmp_path / "ids.parquet"
    )
    summary = score_cli(tmp_path / "ids.parquet", tmp_path / "scores", bundle)
    assert summary["rows"] == 6
    assert summary["ids"] == {"missing": 2, "repeated": 2}
    assert json.loads((tmp_path / "scores" / "_triage.json").read_text())["ids"] == summary["ids"]
    assert pq.read_table(tmp_path / "scores").column("ticket_id").to_pylist() == ids
    result = run(
        "score",
        "--data",
        str(tmp_path / "ids.parquet"),
        "--out",
        str(tmp_path / "again"),
        "--bundle",
        str(bundle),
    )
    assert result.exit_code == 0, result.output
    assert "2 rows have no ticket_id (null or empty); 2 rows repeat a ticket_id" in said(result)
    clean = score_cli(tmp_path / "ids.parquet", tmp_path / "scores", bundle)  # rerun replaces
    assert clean["ids"] == summary["ids"]


def test_score_cli_unknown_model_alias_and_bad_options_exit_2(tmp_path: Path) -> None:
    data = write_tickets(make_tickets(5), tmp_path / "t.parquet")
    uri = f"sqlite:///{tmp_path}/mlruns/mlflow.db"
    base = ("score", "--data", str(data), "--out", str(tmp_path / "o"), "--tracking-uri", uri)
    unknown = run(*base, "--model", "models:/triage@nosuchalias")
    assert unknown.exit_code == 2 and "no @nosuchalias" in said(unknown)
    both = run(*base, "--model", "models:/triage@champion", "--bundle", str(tmp_path))
    assert both.exit_code == 2 and "not both" in said(both)
    mapped_spark = run(*base, "--engine", "spark", "--mapping", "triage")
    assert mapped_spark.exit_code == 2 and "triage data import" in said(mapped_spark)
    uri = run("score", "--data", "s3a://bucket/t", "--out", str(tmp_path / "o"))
    assert uri.exit_code == 2 and "need --engine spark" in said(uri)
    engine = run(*base, "--engine", "dask")
    assert engine.exit_code == 2 and "local or spark" in said(engine)


def test_pyfunc_channel_and_language_are_optional_subject_and_body_are_not(
    bundle: Path, tickets: list[Ticket], tmp_path: Path
) -> None:
    model = mlflow.pyfunc.load_model(str(save_pyfunc(bundle, tmp_path / "pyfunc")))
    inputs = {c.name: c.required for c in model.metadata.get_input_schema().inputs}
    assert inputs == {
        "subject": True,
        "body": True,
        "ticket_id": False,
        "channel": False,
        "language": False,
    }
    frame = pd.DataFrame([{"subject": t.subject, "body": t.body} for t in tickets[:30]])
    out = model.predict(frame, params={"k_similar": 2})
    bare = [t.replace(channel=None, language=None) for t in tickets[:30]]
    expected = Triager.load(bundle).predict_many(bare)
    assert out["category"].tolist() == [r.predictions["category"].label for r in expected]
    assert all(len(ids) <= 2 for ids in out["similar_ids"])
    with_nulls = frame.assign(channel=[None, "email"] * 15, language=None)
    assert len(model.predict(with_nulls)) == 30
    with pytest.raises(mlflow.exceptions.MlflowException, match="body"):
        model.predict(frame.drop(columns=["body"]))


def test_backfill_vectors_build_the_same_index_as_index_build(
    tickets: list[Ticket], tmp_path: Path
) -> None:
    solved = [t.replace(status=Status.RESOLVED) for t in tickets]
    data = write_tickets(solved, tmp_path / "history.parquet")
    vectors = tmp_path / "vectors"
    embedded = run(
        "score",
        "--embed-only",
        "--embedder",
        "hashing-32",
        "--data",
        str(data),
        "--out",
        str(vectors),
        "--json",
    )
    assert embedded.exit_code == 0, embedded.output
    assert json.loads(embedded.stdout)["embedder"] == {"name": "hashing-32", "dim": 32}
    built = run(
        "index",
        "backfill",
        "--vectors",
        str(vectors),
        "--data",
        str(data),
        "--out",
        str(tmp_path / "a"),
    )
    direct = run(
        "index",
        "build",
        "--data",
        str(data),
        "--embedder",
        "hashing-32",
        "--out",
        str(tmp_path / "b"),
    )
    assert built.exit_code == 0 and direct.exit_code == 0, built.output + direct.output
    a = Retriever.load(tmp_path / "a", HashingEmbedder(32))
    b = Retriever.load(tmp_path / "b", HashingEmbedder(32))
    assert len(a.tickets) == len(b.tickets) == len(solved)
    for ticket in solved[:25]:
        assert a.similar(ticket.text, k=5) == b.similar(ticket.text, k=5)


def test_backfill_refuses_vectors_of_another_embedder_and_missing_vectors(
    tickets: list[Ticket], tmp_path: Path
) -> None:
    solved = [t.replace(status=Status.RESOLVED) for t in tickets]
    data = write_tickets(solved, tmp_path / "history.parquet")
    index = tmp_path / "index"
    Retriever.build(solved[:50], [], HashingEmbedder(32)).save(index)
    for dim, subset in ((16, solved), (32, solved[:100])):
        part = write_tickets(subset, tmp_path / f"part{dim}.parquet")
        out = tmp_path / f"v{dim}"
        run(
            "score",
            "--embed-only",
            "--embedder",
            f"hashing-{dim}",
            "--data",
            str(part),
            "--out",
            str(out),
        )
    other = run(
        "index",
        "backfill",
        "--vectors",
        str(tmp_path / "v16"),
        "--data",
        str(data),
        "--index",
        str(index),
    )
    assert other.exit_code == 2, other.output
    assert "made by hashing-16 (dim 16), the index uses hashing-32" in said(other)
    missing = run(
        "index",
        "backfill",
        "--vectors",
        str(tmp_path / "v32"),
        "--data",
        str(data),
        "--index",
        str(index),
    )
    assert missing.exit_code == 2 and "have no vector" in said(missing)
    assert len(Retriever.load(index, HashingEmbedder(32)).tickets) == 50  # untouched
    added = run(
        "index",
        "backfill",
        "--vectors",
        str(tmp_path / "v32"),
        "--data",
        str(tmp_path / "part32.parquet"),
        "--index",
        str(index),
        "--json",
    )
    assert added.exit_code == 0, added.output
    assert len(Retriever.load(index, HashingEmbedder(32)).tickets) == 100


def test_embedding_ahead_keeps_the_order_and_the_answers_of_one_chunk_at_a_time(
    bundle: Path, tickets: list[Ticket], tmp_path: Path
) -> None:
    import threading

    from training.scoring import open_input, score_local

    data = write_tickets(tickets, tmp_path / "tickets.parquet")
    triager = Triager.load(bundle)
    embed, predict_many = triager.embed, triager.predict_many
    begun: dict[int, threading.Event] = {}  # chunk number -> its embedding has started
    embedded: list[int] = []
    waited: list[bool] = []

    def embedding(texts: list[str]) -> Any:
        begun.setdefault(len(embedded), threading.Event()).set()
        embedded.append(len(texts))
        return embed(texts)

    def scoring(chunk: Sequence[Ticket], **options: Any) -> Any:
        following = len(waited) + 1
        if following < 5:  # the next chunk is being embedded while this one is scored
            waited.append(begun.setdefault(following, threading.Event()).wait(10))
        else:
            waited.append(True)
        return predict_many(chunk, **options)

    triager.embed, triager.predict_many = embedding, scoring  # type: ignore[method-assign]
    summary = score_local(triager, open_input(data, None, chunk=50), tmp_path / "scores")
    assert summary["rows"] == len(tickets) and embedded == [50, 50, 50, 50, 20]
    assert waited == [True] * 5  # each of chunks 2-5 began embedding before the one before it
    assert_rows_are_predict_many(pd.read_parquet(tmp_path / "scores"), bundle, tickets)


def test_embedding_ahead_skips_empty_frames_and_raises_a_frames_error_when_it_is_reached(
    bundle: Path, tickets: list[Ticket]
) -> None:
    from concurrent.futures import ThreadPoolExecutor

    from training.scoring import _embedded_ahead

    triager = Triager.load(bundle)
    frame = pd.DataFrame(
        [{"ticket_id": t.ticket_id, "subject": t.subject, "body": t.body} for t in tickets[:30]]
    )
    frames = [frame.iloc[:10], frame.iloc[:0], frame.iloc[10:30]]
    with ThreadPoolExecutor(1) as pool:
        got = list(_embedded_ahead(triager, iter(frames), pool))
    assert [len(f) for f, _, _ in got] == [10, 20]
    for f, chunk, vectors in got:
        assert [t.ticket_id for t in chunk] == f["ticket_id"].tolist()
        assert vectors is not None
        assert (vectors == triager.embed([t.text for t in chunk])).all()

    calls = 0

    def failing(texts: list[str]) -> None:
        nonlocal calls
        calls += 1
        if calls == 2:
            raise RuntimeError("embedder broke on the second frame")

    triager.embed = failing  # type: ignore[method-assign,assignment]
    with ThreadPoolExecutor(1) as pool:
        ahead = _embedded_ahead(triager, iter([frame.iloc[:10], frame.iloc[10:20]]), pool)
        first = next(ahead)  # the first frame is fine although the second is embedding
        assert len(first[0]) == 10
        with pytest.raises(RuntimeError, match="second frame"):
            next(ahead)
