"""Settings from TRIAGE_* variables (fail fast), and the service CLI commands."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from pydantic import ValidationError
from typer.testing import CliRunner

from api.settings import Settings
from training.cli import app
from triage.store.engine import DEFAULT_DATABASE_URL
from triage.store.keys import verify_key
from triage.store.sql import open_store


def test_settings_read_the_triage_prefix(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("TRIAGE_MAX_BATCH_TICKETS", "7")
    monkeypatch.setenv("TRIAGE_BUNDLE_DIR", str(tmp_path))
    monkeypatch.setenv("TRIAGE_CORS_ORIGINS", '["https://desk.example"]')
    # `triage serve` reads these itself; the service's settings must not trip over them
    monkeypatch.setenv("TRIAGE_PORT", "9001")
    monkeypatch.setenv("TRIAGE_HOST", "0.0.0.0")
    settings = Settings()
    assert settings.max_batch_tickets == 7 and settings.bundle_dir == tmp_path
    assert settings.cors_origins == ["https://desk.example"]


def test_settings_defaults_are_safe() -> None:
    settings = Settings()
    assert settings.cors_origins == [] and settings.bundle_dir is None
    assert settings.database_url == DEFAULT_DATABASE_URL


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("TRIAGE_MAX_BATCH_TICKETS", "0"),
        ("TRIAGE_LOG_LEVEL", "chatty"),
        ("TRIAGE_EMBEDDER", "bert"),
        ("TRIAGE_MAX_BODY_BYTES", "10"),
    ],
)
def test_settings_bad_values_fail_fast(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str
) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(ValidationError):
        Settings()


def test_settings_unknown_fields_are_refused() -> None:
    with pytest.raises(ValidationError):
        Settings(bundel_dir="typo")  # type: ignore[call-arg]


def test_cli_keys_create_prints_a_working_key_once(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    result = CliRunner().invoke(
        app,
        [
            "keys",
            "create",
            "--scope",
            "agent",
            "--scope",
            "triage",
            "--json",
            "--database-url",
            url,
        ],
    )
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    store = open_store(url)
    key = verify_key(store, summary["key"])
    store.close()
    assert key is not None and key.scopes == {"agent", "triage"}
    assert summary["key"] not in (tmp_path / "cli.db").read_bytes().decode("latin-1")


def test_cli_keys_create_bad_scope_exits_2(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    result = CliRunner().invoke(app, ["keys", "create", "--scope", "root", "--database-url", url])
    assert result.exit_code == 2 and "scopes" in result.output


@pytest.mark.parametrize("command", ["dataset", "export"])  # `export`: the old name, kept hidden
def test_cli_feedback_dataset_with_nothing_exits_2(tmp_path: Path, command: str) -> None:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    out = tmp_path / "x.parquet"
    result = CliRunner().invoke(
        app, ["feedback", command, "--out", str(out), "--database-url", url]
    )
    assert result.exit_code == 2 and "no labelled tickets" in result.output and not out.exists()


def test_cli_report_production_json(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    result = CliRunner().invoke(app, ["report", "production", "--json", "--database-url", url])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["predictions"] == 0 and set(report["targets"]) == {
        "category",
        "priority",
        "support_line",
    }


@pytest.mark.parametrize(
    ("args", "env"),
    [(["--port", "0"], {}), (["--workers", "0"], {}), ([], {"TRIAGE_PORT": "70000"})],
)
def test_cli_serve_bad_port_or_workers_exit_2_before_serving(
    args: list[str], env: dict[str, str]
) -> None:
    result = CliRunner().invoke(app, ["serve", *args], env=env)
    assert result.exit_code == 2 and "Invalid value" in result.output


def test_settings_embed_threads_cap_the_onnx_embedder_before_its_session(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from types import SimpleNamespace

    from api.lifecycle import _cap_embedder_threads
    from triage.onnx_embedder import META_FILE, MODEL_FILE, OnnxEmbedder

    (tmp_path / META_FILE).write_text(json.dumps({"name": "minilm-onnx-int8", "dim": 384}))
    (tmp_path / MODEL_FILE).write_bytes(b"")
    monkeypatch.setenv("TRIAGE_EMBED_THREADS", "1")
    embedder = OnnxEmbedder(tmp_path)  # lazy: no session until the first embedding
    _cap_embedder_threads(SimpleNamespace(embedder=embedder), Settings().embed_threads)  # type: ignore[arg-type]
    assert embedder.threads == 1
    default = OnnxEmbedder(tmp_path)
    _cap_embedder_threads(SimpleNamespace(embedder=default), 0)  # type: ignore[arg-type]
    assert default.threads is None  # onnxruntime chooses
