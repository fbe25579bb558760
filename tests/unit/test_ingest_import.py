"""`import_file` outputs and the `triage data validate|import` commands."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from training.cli import app
from triage.dataset import TICKET_SCHEMA, read_tickets
from triage.errors import RowRejected
from triage.ingest import import_file, load_mapping

BROKEN = Path(__file__).resolve().parents[2] / "tests" / "fixtures" / "ingest" / "broken.csv"
runner = CliRunner()


def test_ingest_import_writes_dataset_rejects_and_report(tmp_path: Path) -> None:
    progress: list[int] = []
    report = import_file(BROKEN, load_mapping("triage"), tmp_path, progress=progress.append)
    assert sum(progress) == report.read == 13
    table = pq.read_table(tmp_path / "tickets.parquet")
    assert table.schema.equals(TICKET_SCHEMA)
    assert table.num_rows == report.accepted == 4
    assert [t.ticket_id for t in read_tickets(tmp_path / "tickets.parquet")] == [
        "T1",
        "T2",
        "T12",
        "T13",
    ]
    rejects = [json.loads(line) for line in (tmp_path / "rejects.jsonl").read_text().splitlines()]
    assert [(r["line"], r["code"]) for r in rejects][:2] == [(6, "missing_text"), (7, "bad_date")]
    assert len(rejects) == report.rejected == 9
    assert rejects[5]["raw"][-1] == "EXTRA"  # the malformed row's fields are kept
    saved = json.loads((tmp_path / "import_report.json").read_text())
    assert saved["read"] == saved["accepted"] + saved["rejected"]
    assert saved == json.loads(json.dumps(report.to_dict(), default=str))


def test_ingest_import_writes_in_batches(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("triage.ingest.pipeline.WRITE_BATCH", 2)
    import_file(BROKEN, load_mapping("triage"), tmp_path)
    file = pq.ParquetFile(tmp_path / "tickets.parquet")
    assert file.metadata.num_rows == 4 and file.metadata.num_row_groups == 2


def test_ingest_strict_import_leaves_no_partial_output(tmp_path: Path) -> None:
    out = tmp_path / "out"
    with pytest.raises(RowRejected):
        import_file(BROKEN, load_mapping("triage"), out, strict=True)
    assert not out.exists()  # nor the folder it made
    out.mkdir()
    with pytest.raises(RowRejected):
        import_file(BROKEN, load_mapping("triage"), out, strict=True)
    assert list(out.iterdir()) == []  # a folder that was there stays


def test_cli_data_validate_json_summary(tmp_path: Path) -> None:
    report_path = tmp_path / "report.json"
    result = runner.invoke(
        app,
        [
            "data",
            "validate",
            str(BROKEN),
            "--mapping",
            "triage",
            "--json",
            "--report",
            str(report_path),
        ],
    )
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert (summary["read"], summary["accepted"], summary["rejected"]) == (13, 4, 9)
    assert json.loads(report_path.read_text())["errors"][0]["code"] == "missing_text"


def test_cli_data_validate_human_lists_rejects() -> None:
    result = runner.invoke(app, ["data", "validate", str(BROKEN), "--mapping", "triage"])
    assert result.exit_code == 0
    assert "read 13, accepted 4, rejected 9" in result.output
    assert "line 8: unknown_value: priority: 'P9'" in result.output


def test_cli_data_import_writes_out_dir(tmp_path: Path) -> None:
    result = runner.invoke(
        app,
        ["data", "import", str(BROKEN), "--mapping", "triage", "--out", str(tmp_path), "--json"],
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["accepted"] == 4
    assert (tmp_path / "tickets.parquet").is_file()


def test_cli_data_strict_exits_2_with_line_and_reason(tmp_path: Path) -> None:
    args = ["data", "validate", str(BROKEN), "--mapping", "triage", "--strict"]
    result = runner.invoke(app, args)
    assert result.exit_code == 2
    assert "line 6: subject and body are both empty (code missing_text" in result.output


@pytest.mark.parametrize(
    ("setup", "mapping", "message"),
    [
        ("missing", "triage", "no such file"),
        ("empty", "triage", "empty file"),
        ("broken", "no_such_preset", "unknown mapping 'no_such_preset'"),
        ("other_columns", "hadoop_bugs", "column 'Issue id' not in the export"),
    ],
)
def test_cli_data_unusable_input_exits_2(
    tmp_path: Path, setup: str, mapping: str, message: str
) -> None:
    path = tmp_path / "export.csv"
    if setup == "empty":
        path.write_bytes(b"")
    elif setup in ("broken", "other_columns"):
        shutil.copy(BROKEN, path)
    result = runner.invoke(app, ["data", "validate", str(path), "--mapping", mapping])
    assert result.exit_code == 2
    assert message in " ".join(result.output.split())
    assert "Traceback" not in result.output


def test_ingest_imported_dataset_reads_back_through_the_triage_preset(tmp_path: Path) -> None:
    from triage.ingest import read_tickets as ingest

    import_file(BROKEN, load_mapping("triage"), tmp_path)
    dataset = tmp_path / "tickets.parquet"
    again = ingest(dataset, load_mapping("triage"))
    assert again.report.rejected == 0
    assert [t.to_dict() for t in again.tickets] == [t.to_dict() for t in read_tickets(dataset)]


def test_cli_data_import_redact_writes_no_personal_data(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import csv

    from pii import PLANTED_TEXT, REQUESTER, scan

    source = tmp_path / "export.csv"
    with source.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["ticket_id", "subject", "body", "requester", "created_at"])
        writer.writerow(["T1", "VPN", PLANTED_TEXT, REQUESTER, "2025-01-01T10:00:00"])
        writer.writerow(["T2", "VPN", PLANTED_TEXT, REQUESTER, "not a date"])  # rejected
    out = tmp_path / "out"
    monkeypatch.chdir(tmp_path)  # the deployment secret is created here
    result = runner.invoke(
        app, ["data", "import", str(source), "-m", "triage", "-o", str(out), "--redact"]
    )
    assert result.exit_code == 0, result.output
    (ticket,) = read_tickets(out / "tickets.parquet")
    assert "<IBAN>" in ticket.body and ticket.requester != REQUESTER
    assert scan(out) == {}
