"""`triage similar --index` on a model bundle: searched read-only with the bundle's embedder."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from typer.testing import CliRunner

from training.cli import app


def _similar(index: Path, text: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, ["similar", text, "--index", str(index), "--json"])
    return result.exit_code, result.stdout if result.exit_code == 0 else result.output


def test_cli_similar_searches_a_bundle_and_its_retrieval_folder(bundle_v1: Path) -> None:
    before = {p.name: p.stat().st_mtime_ns for p in (bundle_v1 / "retrieval").iterdir()}
    answers = []
    for index in (bundle_v1, bundle_v1 / "retrieval"):
        code, out = _similar(index, "VPN verbinding valt steeds weg")
        assert code == 0, out
        answers.append(json.loads(out)["results"][0])
    assert answers[0] == answers[1]
    assert answers[0]["similar"], "the tiny bundle's own tickets should come back"
    after = {p.name: p.stat().st_mtime_ns for p in (bundle_v1 / "retrieval").iterdir()}
    assert after == before  # searching never writes the bundle


def test_cli_similar_refuses_a_bundle_whose_index_was_altered(
    bundle_v1: Path, tmp_path: Path
) -> None:
    copy = tmp_path / "bundle"
    shutil.copytree(bundle_v1, copy)
    victim = next(p for p in sorted((copy / "retrieval").rglob("*")) if p.is_file())
    victim.write_bytes(victim.read_bytes() + b"x")
    code, out = _similar(copy, "VPN verbinding valt steeds weg")
    assert code == 2
    assert victim.name in out and "Traceback" not in out
