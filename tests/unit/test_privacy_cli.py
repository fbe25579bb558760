"""`triage privacy redact`: the redacted text on stdout, JSON with offsets, clear usage errors."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from training.cli import app


def _run(*args: str, stdin: str | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, ["privacy", "redact", *args], input=stdin)
    return result.exit_code, result.stdout, result.stderr


def test_privacy_redact_prints_the_redacted_text() -> None:
    code, out, err = _run("bel 06-12345678 of mail a@b.nl")
    assert code == 0 and out == "bel <PHONE> of mail <EMAIL>\n"
    assert "EMAIL 1" in err and "PHONE 1" in err


def test_privacy_redact_json_has_spans_in_the_input_and_settings() -> None:
    code, out, _ = _run("--json", "--hosts", "-r", "Sanne de Vries", "Sanne belt vanaf srv-fin-07")
    summary = json.loads(out)
    assert code == 0 and summary["text"] == "<PERSON> belt vanaf <HOST>"
    assert summary["spans"][0] == {"kind": "PERSON", "start": 0, "end": 5}
    assert "HOST" in summary["settings"]["kinds"]


def test_privacy_redact_reads_a_file_stdin_and_a_config(tmp_path: Path) -> None:
    source = tmp_path / "ticket.txt"
    source.write_text("IBAN NL91ABNA0417164300, host srv-fin-07\n", encoding="utf-8")
    config = tmp_path / "privacy.yaml"
    config.write_text("privacy:\n  style: square\n  kinds: [IBAN, HOST]\n", encoding="utf-8")
    code, out, _ = _run("--file", str(source), "--config", str(config))
    assert (code, out) == (0, "IBAN [IBAN], host [HOST]\n")
    code, out, _ = _run("-f", "-", stdin="mail a@b.nl")
    assert (code, out) == (0, "mail <EMAIL>\n")


def test_privacy_redact_usage_errors_exit_2_without_a_trace(tmp_path: Path) -> None:
    for args in ([], ["text", "--file", "x"], ["--region", "XX", "x"]):
        code, out, err = _run(*args)
        assert code == 2 and out == "" and "Traceback" not in err, args
    bad = tmp_path / "bad.yaml"
    bad.write_text("kindz: [EMAIL]\n", encoding="utf-8")
    code, _, err = _run("--config", str(bad), "x")
    assert code == 2 and "unknown setting" in err
