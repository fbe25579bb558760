"""PNG plots a person looks at: confusion, reliability diagrams, precision/coverage curves."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from triage.calibration import reliability_table


def _pyplot() -> Any:
    # Imported when plotting: choosing the Agg backend is process-wide state (nothing happens at
    # import), and matplotlib costs ~0.8 s that only a training run needs.
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def confusion_png(target: str, confusion: dict[str, Any], path: Path) -> Path:
    """Row-normalised confusion matrix (rows = true label) with counts in the cells."""
    plt = _pyplot()
    matrix = np.asarray(confusion["matrix"], dtype=float)
    labels = confusion["labels"]
    shares = matrix / np.maximum(matrix.sum(axis=1, keepdims=True), 1)
    size = max(4.0, 0.6 * len(labels) + 2)
    fig, ax = plt.subplots(figsize=(size, size))
    ax.imshow(shares, cmap="Blues", vmin=0, vmax=1)
    ax.set_xticks(range(len(labels)), labels, rotation=45, ha="right")
    ax.set_yticks(range(len(labels)), labels)
    for (i, j), n in np.ndenumerate(matrix):
        ax.text(
            j,
            i,
            int(n),
            ha="center",
            va="center",
            color="white" if shares[i, j] > 0.5 else "black",
            fontsize=8,
        )
    ax.set(xlabel="predicted", ylabel="true", title=f"{target}: confusion (test)")
    return _save(fig, plt, path)


def reliability_png(target: str, proba: Any, proba_raw: Any, y: Any, path: Path) -> Path:
    """Reliability diagram: accuracy per confidence bin, before and after calibration."""
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(5, 5))
    ax.plot([0, 1], [0, 1], linestyle=":", color="grey", label="perfect")
    for name, p in (("uncalibrated", proba_raw), ("calibrated", proba)):
        rows = reliability_table(np.asarray(p), np.asarray(y))
        ax.plot(
            [r["confidence"] for r in rows], [r["accuracy"] for r in rows], marker="o", label=name
        )
    ax.set(
        xlabel="confidence",
        ylabel="accuracy",
        title=f"{target}: reliability (test)",
        xlim=(0, 1),
        ylim=(0, 1),
    )
    ax.legend()
    return _save(fig, plt, path)


def precision_coverage_png(
    target: str, curve: list[dict[str, float]], target_precision: float, path: Path
) -> Path:
    """Precision against coverage as one global threshold moves (test data)."""
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(5, 4))
    ax.plot([c["coverage"] for c in curve], [c["precision"] for c in curve], marker=".")
    ax.axhline(
        target_precision, linestyle="--", color="red", label=f"target {target_precision:.2f}"
    )
    ax.set(
        xlabel="coverage (share auto-applied)",
        ylabel="precision",
        title=f"{target}: precision / coverage",
        xlim=(0, 1.02),
    )
    ax.legend()
    return _save(fig, plt, path)


def _save(fig: Any, plt: Any, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.tight_layout()
    fig.savefig(path, dpi=90)
    plt.close(fig)
    return path


def all_plots(
    metrics: dict[str, Any], curves: dict[str, Any], target_precision: float, folder: Path
) -> list[Path]:
    """Every plot of a training run into `folder`; returns the files."""
    files = []
    for target, curve in curves.items():
        report = metrics["targets"][target]
        files.append(confusion_png(target, report["confusion"], folder / f"{target}_confusion.png"))
        y = np.asarray(curve["y"])
        files.append(
            reliability_png(
                target,
                curve["proba"],
                curve["proba_uncalibrated"],
                y,
                folder / f"{target}_reliability.png",
            )
        )
        files.append(
            precision_coverage_png(
                target,
                curve["precision_coverage"],
                target_precision,
                folder / f"{target}_precision_coverage.png",
            )
        )
    return files
