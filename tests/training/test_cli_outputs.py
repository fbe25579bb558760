"""Output paths through the real CLI: an existing output is replaced only when the same kind of
command wrote it; inputs, the current folder, files and unwritable places are refused (exit 2,
one message) before any work, and the user's files stay byte for byte."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import Result
from tiny_data import make_tickets, tiny_scoring_bundle
from typer.testing import CliRunner

from training.cli import app
from triage.dataset import read_articles, write_tickets
from triage.triager import Triager

BROKEN = Path(__file__).resolve().parents[1] / "fixtures" / "ingest" / "broken.csv"


@pytest.fixture(scope="module")
def bundle(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A tiny bundle (hashing embedder) with a similar-ticket index."""
    return tiny_scoring_bundle(tmp_path_factory.mktemp("outputs") / "bundle", 120, "tiny")


@pytest.fixture
def work(tmp_path: Path, bundle: Path) -> Path:
    """A folder with its own copy of the bundle, tickets to score and a user's files."""
    shutil.copytree(bundle, tmp_path / "bundle")
    write_tickets(make_tickets(12, seed=4), tmp_path / "tickets.parquet")
    (tmp_path / "parts").mkdir()
    write_tickets(make_tickets(12, seed=5), tmp_path / "parts" / "part-0.parquet")
    (tmp_path / "notes").mkdir()
    (tmp_path / "notes" / "notes.txt").write_bytes(b"my notes\n")
    (tmp_path / "notes.txt").write_bytes(b"a user's file\n")
    return tmp_path


def run(*args: str) -> Result:
    return CliRunner().invoke(app, [*args], catch_exceptions=False)


def said(result: Result) -> str:
    """The command's output as one line (rich wraps long error messages)."""
    return " ".join(result.output.split())


def snapshot(root: Path) -> dict[str, bytes | None]:
    """Every file (its bytes) and folder (None) under `root`."""
    return {
        p.relative_to(root).as_posix(): p.read_bytes() if p.is_file() else None
        for p in sorted(root.rglob("*"))
    }


def refused(work: Path, args: list[str], *needles: str) -> str:
    """Run `args` in `work`; assert exit 2, one message without a trace naming `needles`, and
    nothing under `work` changed."""
    before = snapshot(work)
    result = run(*args)
    message = said(result)
    assert result.exit_code == 2, message
    assert "Traceback" not in message and message.startswith("error:")
    for needle in needles:
        assert needle in message, message
    assert snapshot(work) == before
    return message


def score_args(work: Path, out: str, data: str = "tickets.parquet") -> list[str]:
    return ["score", "--data", str(work / data), "--out", out, "--bundle", str(work / "bundle")]


# -- the rule: only a folder of the same kind is replaced ----------------------------------------
def test_outputs_score_refuses_an_existing_folder_of_user_files(work: Path) -> None:
    refused(work, score_args(work, str(work / "notes")), "no _triage.json", "notes.txt", "remove")


@pytest.mark.parametrize("out", ["notes.txt", "tickets.parquet"])
def test_outputs_score_refuses_an_existing_file_even_the_input(work: Path, out: str) -> None:
    refused(work, score_args(work, str(work / out)), "an existing file", "new folder")


def test_outputs_score_refuses_the_input_folder_and_the_bundle(work: Path) -> None:
    refused(work, score_args(work, str(work / "parts"), data="parts"), "part-0.parquet")
    refused(work, score_args(work, str(work / "bundle")), "manifest.json")
    Triager.load(work / "bundle")  # still a whole, verified bundle


def test_outputs_score_again_into_its_own_folder_or_an_empty_one(work: Path) -> None:
    (work / "empty").mkdir()
    for out in ("scores", "scores", "empty"):
        result = run(*score_args(work, str(work / out)), "--json")
        assert result.exit_code == 0, said(result)
        assert json.loads(result.stdout)["rows"] == 12
    assert sorted(p.name for p in (work / "scores").iterdir()) == [
        "_triage.json",
        "part-00000.parquet",
    ]


# -- apart from the inputs ------------------------------------------------------------------------
def test_outputs_score_refuses_out_inside_an_input(work: Path) -> None:
    inside_data = score_args(work, str(work / "parts" / "scores"), data="parts")
    refused(work, inside_data, "lies inside the --data input")
    refused(work, score_args(work, str(work / "bundle" / "scores")), "lies inside the --bundle")


def test_outputs_score_refuses_an_old_scores_folder_holding_the_input(work: Path) -> None:
    assert run(*score_args(work, str(work / "old"))).exit_code == 0
    shutil.copy(work / "tickets.parquet", work / "old" / "tickets.parquet")
    refused(work, score_args(work, str(work / "old"), data="old/tickets.parquet"), "holds")


def test_outputs_index_build_refuses_an_index_holding_its_input(work: Path) -> None:
    def build(data: Path, out: Path) -> Result:
        args = ["index", "build", "--data", str(data), "--out", str(out)]
        return run(*args, "--embedder", "hashing-64", "--json")

    assert build(work / "tickets.parquet", work / "idx").exit_code == 0
    assert build(work / "tickets.parquet", work / "idx").exit_code == 0  # a rebuild replaces
    shutil.copy(work / "tickets.parquet", work / "idx" / "eval.parquet")
    refused(
        work,
        [
            "index",
            "build",
            "--data",
            str(work / "idx" / "eval.parquet"),
            "--out",
            str(work / "idx"),
            "--embedder",
            "hashing-64",
        ],
        "holds the --data input",
    )
    refused(
        work,
        ["index", "build", "--data", str(work / "tickets.parquet"), "--out", str(work / "notes")],
        "not a retrieval index",
    )
    # the bundle's own index carries retriever.json, but the bundle checksums every file
    in_bundle = ["index", "build", "--data", str(work / "tickets.parquet"), "--out"]
    message = refused(work, [*in_bundle, str(work / "bundle" / "retrieval")], "inside the model")
    assert "checksums" in message
    assert Triager.load(work / "bundle").retriever is not None


def test_outputs_backfill_and_exports_refuse_a_folder_of_user_files(work: Path) -> None:
    notes = str(work / "notes")
    backfill = ["index", "backfill", "--vectors", str(work / "v"), "--data", str(work / "t")]
    refused(work, [*backfill, "--out", notes], "not a retrieval index")
    refused(work, ["embedder", "export", "--out", notes], "not an ONNX embedder")
    refused(work, ["export", "--out", notes], "not a model bundle")


# -- checked before the work: the current folder, unwritable places ------------------------------
def test_outputs_score_refuses_the_current_folder(
    work: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(work / "notes")
    refused(work, score_args(work, "."), "the current folder")
    refused(work, score_args(work, ".."), "the current folder or one above it")


@pytest.mark.parametrize(
    ("out", "needle"),
    [("/proc/triage-test/scores", "cannot write in /proc"), ("notes.txt/scores", "is a file")],
)
def test_outputs_score_refuses_an_unwritable_out_before_loading_the_model(
    work: Path, monkeypatch: pytest.MonkeyPatch, out: str, needle: str
) -> None:
    def no_load(*args: object, **kwargs: object) -> None:
        raise AssertionError("the model was loaded before --out was checked")

    monkeypatch.setattr(Triager, "load", no_load)
    target = out if out.startswith("/") else str(work / out)
    refused(work, score_args(work, target), needle)


# -- options that write one file ------------------------------------------------------------------
def test_outputs_kb_import_out_is_a_file_or_a_folder(work: Path) -> None:
    source = work / "kb.csv"
    source.write_text("article_id,title,body\nKB1,Reset a password,Use the portal.\n")
    refused(work, ["kb", "import", str(source), "--out", str(work / "notes.txt")], "not a Parquet")
    for out in (f"{work / 'newdir'}/", str(work / "notes"), str(work / "kb.parquet")):
        result = run("kb", "import", str(source), "--out", out)
        assert result.exit_code == 0, said(result)
    assert (work / "newdir").is_dir()
    assert [a.article_id for a in read_articles(work / "newdir" / "kb_articles.parquet")] == ["KB1"]
    assert (work / "notes" / "notes.txt").read_bytes() == b"my notes\n"
    assert (work / "notes" / "kb_articles.parquet").is_file()
    again = run("kb", "import", str(source), "--out", str(work / "kb.parquet"))  # a re-run
    assert again.exit_code == 0, said(again)
    refused(work, ["kb", "import", str(source), "--out", str(work / "tickets.parquet")], "else")


def test_outputs_data_commands_refuse_a_file_folder_mix_up(work: Path) -> None:
    refused(
        work,
        ["data", "import", str(BROKEN), "-m", "triage", "--out", str(work / "notes.txt")],
        "an existing file",
        "takes a folder",
    )
    validate = ["data", "validate", str(BROKEN), "-m", "triage", "--report"]
    refused(work, [*validate, str(work / "notes")], "an existing folder", "file name")
    copy = work / "export.csv"
    shutil.copy(BROKEN, copy)
    refused(work, ["data", "validate", str(copy), "-m", "triage", "--report", str(copy)], "is the")
    refused(
        work,
        ["data", "import", str(copy), "-m", "triage", "--out", "/proc/triage-test/d"],
        "cannot write in /proc",
    )


def test_outputs_failed_data_import_leaves_no_folder_behind(work: Path) -> None:
    args = ["data", "import", str(BROKEN), "-m", "triage", "--strict"]
    refused(work, [*args, "--out", str(work / "new" / "dataset")], "--strict")
    assert not (work / "new").exists()


def test_outputs_evaluate_and_report_refuse_a_folder_before_the_work(work: Path) -> None:
    data = str(work / "tickets.parquet")
    evaluate = ["evaluate", "--model", str(work / "bundle"), "--data", data]
    refused(work, [*evaluate, "--out", str(work / "notes")], "an existing folder")
    refused(work, [*evaluate, "--out", str(work / "bundle" / "r.json")], "lies inside the --model")
    kpi = ["report", "kpi", "--data", data, "--no-clusters", "--format", "json", "--out"]
    refused(work, [*kpi, str(work / "notes")], "an existing folder")
    refused(work, [*kpi, data], "is the --data input")


def test_outputs_privacy_redact_refuses_a_folder_as_file(work: Path) -> None:
    refused(work, ["privacy", "redact", "--file", str(work / "notes")], "a folder", "text file")


def test_outputs_data_generate_replaces_only_its_own_kind_of_files(work: Path) -> None:
    """`data generate --out` writes tickets.parquet and kb_articles.parquet into a folder: an
    earlier sample is replaced, a user's file of that name is not, and a file is no folder."""
    generate = ["data", "generate", "--tickets", "50", "--seed", "1", "--out"]
    refused(work, [*generate, str(work / "notes.txt")], "an existing file", "takes a folder")
    (work / "mine").mkdir()
    (work / "mine" / "tickets.parquet").write_bytes(b"my spreadsheet, saved under a bad name\n")
    refused(work, [*generate, str(work / "mine")], "its tickets.parquet is not a Parquet file")
    shutil.copy(work / "tickets.parquet", work / "mine" / "kb_articles.parquet")
    (work / "mine" / "tickets.parquet").unlink()
    refused(work, [*generate, str(work / "mine")], "kb_articles.parquet is a Parquet file of")
    for _ in range(2):  # a new folder, then the same folder again
        result = run(*generate, str(work / "sample"))
        assert result.exit_code == 0, said(result)
    assert sorted(p.name for p in (work / "sample").iterdir()) == [
        "kb_articles.parquet",
        "tickets.parquet",
    ]


def test_outputs_feedback_dataset_never_replaces_the_database_or_a_user_file(
    work: Path,
) -> None:
    db = work / "triage.db"
    url = f"sqlite:///{db}"
    assert run("keys", "create", "--scope", "agent", "--database-url", url).exit_code == 0
    dataset = ["feedback", "dataset", "--database-url", url, "--out"]
    refused(work, [*dataset, str(db)], "is the --database-url input")
    refused(work, [*dataset, str(work / "notes.txt")], "is not a Parquet file")
    refused(work, [*dataset, str(work / "notes")], "an existing folder")
    # a tickets file passes the rule; with nothing labelled yet the store refuses, and the
    # file is left as it was
    before = (work / "tickets.parquet").read_bytes()
    result = run(*dataset, str(work / "tickets.parquet"))
    assert result.exit_code == 2 and "no labelled tickets yet" in said(result)
    assert (work / "tickets.parquet").read_bytes() == before
