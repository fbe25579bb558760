"""`triage report kpi`: HTML and JSON reports from generated data and from an export with missing
fields; the HTML page renders offline in headless Chromium (a screenshot is kept)."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from browser import browser_context, screenshot
from typer.testing import CliRunner

from training.cli import app
from triage.sample import generate, write_sample


@pytest.fixture(scope="module")
def sample_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("sample")
    write_sample(generate(800, seed=21), out)
    return out


def _run(*args: str) -> dict:  # type: ignore[type-arg]
    result = CliRunner().invoke(app, ["report", "kpi", *args, "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_report_kpi_writes_a_self_contained_html_report_that_renders(
    sample_dir: Path, tmp_path: Path
) -> None:
    out = tmp_path / "report.html"
    summary = _run(
        "--data", str(sample_dir / "tickets.parquet"), "--period", "month",
        "--embedder", "hashing-64", "--out", str(out),
    )  # fmt: skip
    assert summary["tickets"] == 800 and summary["unavailable"] == []
    html = out.read_text()
    assert "<script" not in html and "http://" not in html and "https://" not in html
    with browser_context(tmp_path / "profile", viewport={"width": 1200, "height": 900}) as context:
        context.route("http*://**", lambda route: route.abort())  # no network at view time
        page = context.new_page()
        page.goto(out.as_uri())
        headings = page.locator("h2").all_inner_texts()
        assert {"Key figures", "Peak moments", "Trends", "KB gaps"} <= set(headings)
        widths = page.evaluate("[...document.images].map(i => i.naturalWidth)")
        assert len(widths) >= 3 and all(w > 0 for w in widths)  # every chart decoded, offline
        shot = screenshot(page, "insight_report")
    assert shot.stat().st_size > 10_000


def test_report_kpi_json_from_an_export_marks_missing_fields(tmp_path: Path) -> None:
    export = tmp_path / "export.csv"
    with export.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["ticket_id", "subject", "created_at", "priority", "resolved_at"])
        for i in range(30):
            day = 1 + i % 28
            created, resolved = f"2025-03-{day:02d}T09:00:00Z", f"2025-03-{day:02d}T15:00:00Z"
            writer.writerow([f"X{i}", "vpn down", created, "P2", resolved])
    out = tmp_path / "report.json"
    summary = _run(
        "--data", str(export), "--mapping", "triage", "--format", "json", "--no-clusters",
        "--out", str(out),
    )  # fmt: skip
    assert {"csat", "response_time", "first_contact_resolution"} <= set(summary["unavailable"])
    report = json.loads(out.read_text())
    resolution = report["kpis"]["resolution_time"]
    assert resolution["median_h"] == 6.0
    assert resolution["by_priority"]["P2"]["within_sla"] == 1.0  # 6 h within the 8 h target
    assert report["kpis"]["csat"]["available"] is False
    assert report["clusters"]["available"] is False


def test_report_kpi_refuses_bad_options(sample_dir: Path) -> None:
    data = str(sample_dir / "tickets.parquet")
    for args, message in (
        (["--format", "pdf"], "--format"),
        (["--period", "fortnight", "--no-clusters", "--out", "x.html"], "period"),
        (["--tz", "Mars/Base", "--no-clusters", "--out", "x.html"], "time zone"),
        (["--json"], "--out"),
    ):
        result = CliRunner().invoke(app, ["report", "kpi", "--data", data, *args])
        assert result.exit_code == 2, result.output
        assert message in result.output


def test_report_kpi_with_a_model_gives_every_cluster_its_review_share(
    sample_dir: Path, tmp_path: Path
) -> None:
    """With `--model` the clustered tickets get the bundle's category action: every cluster has
    a review share (None without a model) and the new-category part is available."""
    from tiny_data import make_tickets, tiny_config

    from training.train import build_bundle, train
    from triage.embeddings import HashingEmbedder

    result = train(tiny_config(baselines=False), make_tickets(240), embedder=HashingEmbedder(32))
    bundle = build_bundle(result, tmp_path / "bundle", version="tiny")
    out = tmp_path / "report.json"
    _run(
        "--data", str(sample_dir / "tickets.parquet"), "--period", "month", "--format", "json",
        "--embedder", "hashing-64", "--model", str(bundle), "--out", str(out),
    )  # fmt: skip
    report = json.loads(out.read_text())
    assert report["new_categories"]["available"] is True
    clusters = report["clusters"]["items"]
    assert clusters and all(c["review_share"] is not None for c in clusters)


NEW_CATEGORY = "account_password"
"""The sample's largest category: left out of the bundle's training data below."""


def test_report_kpi_with_a_model_finds_a_category_the_model_never_saw(
    sample_dir: Path, tmp_path: Path
) -> None:
    """A bundle trained on the sample's tickets of every category but one, reporting on tickets
    of that one: its clusters are what "candidate new categories" exists to find.

    Known product gap (measured): the bundle sends only 3 of these 87 tickets to `review` (the
    rest `suggest`), so no cluster is a candidate. `review` needs the top-3 labels to hold less
    than `policy.suggest_mass` (0.5) of the probability, which the calibrated classifier almost
    never gives (with 4 classes it never can: the top 3 hold at least 3/4), and a ticket flagged
    `unfamiliar` falls back to `suggest` like any other. The test is an xfail until that is
    fixed, and asserts the candidate once it is."""
    from tiny_data import tiny_config

    from training.train import build_bundle, train
    from triage.dataset import read_tickets, write_tickets
    from triage.embeddings import HashingEmbedder
    from triage.sample import generate

    known = [t for t in generate(800, seed=3).tickets if t.category != NEW_CATEGORY]
    config = tiny_config(baselines=False, embedder="hashing-64")
    result = train(config, known, embedder=HashingEmbedder(64))
    assert NEW_CATEGORY not in result.model.classifiers["category"].classes_.tolist()
    bundle = build_bundle(result, tmp_path / "bundle", version="held-out")
    new = [t for t in read_tickets(sample_dir / "tickets.parquet") if t.category == NEW_CATEGORY]
    data = write_tickets(new, tmp_path / "new.parquet")
    out = tmp_path / "report.json"
    _run(
        "--data", str(data), "--period", "month", "--cluster-periods", "12", "--format", "json",
        "--embedder", "hashing-64", "--model", str(bundle), "--out", str(out),
    )  # fmt: skip
    report = json.loads(out.read_text())
    clusters, found = report["clusters"]["items"], report["new_categories"]
    assert len(new) >= 50 and clusters and found["available"] is True
    if not found["items"]:
        shares = [c["review_share"] for c in clusters]
        pytest.xfail(f"product gap: the unseen category's clusters go to review {shares}")
    assert max(c["review_share"] for c in clusters) >= 0.5
    assert [c["cluster"] for c in found["items"]] == [
        c["cluster"] for c in clusters if c["review_share"] >= 0.5
    ]
