"""Retrieval folders: one checksum file over a standalone folder, none inside a bundle (the
bundle's manifest covers it), folders saved with per-folder checksums still verified."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from triage.atomic import CHECKSUMS_FILE, folder_checksums
from triage.embeddings import HashingEmbedder
from triage.errors import VectorIndexError
from triage.retrieval import RetrievalConfig, Retriever
from triage.schema import KBArticle, Status, Ticket

DENSE = "tickets/dense/index.faiss"


@pytest.fixture(scope="module")
def retriever() -> Retriever:
    tickets = [
        Ticket(
            ticket_id=f"T{n}",
            subject=("printer jam {n}", "vpn drops {n}")[n % 2].format(n=n),
            status=Status.RESOLVED,
            solution=f"fixed {n}",
        )
        for n in range(12)
    ]
    articles = [KBArticle(article_id="KB1", title="Printer jams", body="open the tray")]
    return Retriever.build(tickets, articles, HashingEmbedder(64), RetrievalConfig())


def _sums_files(folder: Path) -> list[str]:
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob(CHECKSUMS_FILE))


def test_retrieval_folder_on_its_own_has_one_checksum_file_over_all(
    retriever: Retriever, tmp_path: Path
) -> None:
    folder = retriever.save(tmp_path / "ret")
    assert _sums_files(folder) == [CHECKSUMS_FILE]
    sums = json.loads((folder / CHECKSUMS_FILE).read_text())
    assert sums == folder_checksums(folder, skip={CHECKSUMS_FILE}) and DENSE in sums
    loaded = Retriever.load(folder, HashingEmbedder(64))
    assert loaded.similar("printer jam") == retriever.similar("printer jam")


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda f: (f / DENSE).write_bytes((f / DENSE).read_bytes()[:100]), "truncated"),
        (lambda f: (f / "tickets/dense/records.json").write_text("{}"), "records.json"),
        (lambda f: (f / "tickets/dense/sneaky.pkl").write_bytes(b"x"), "sneaky.pkl"),
        (lambda f: (f / "articles.json").unlink(), "articles.json: missing"),
    ],
)
def test_retrieval_folder_on_its_own_refuses_a_changed_nested_file(
    retriever: Retriever, tmp_path: Path, change: object, message: str
) -> None:
    folder = retriever.save(tmp_path / "ret")
    change(folder)  # type: ignore[operator]
    with pytest.raises(VectorIndexError, match=message):
        Retriever.load(folder, HashingEmbedder(64))


def test_retrieval_folder_in_a_bundle_has_no_checksums_of_its_own(
    retriever: Retriever, tmp_path: Path
) -> None:
    folder = retriever.save(tmp_path / "ret", checksums=False)
    assert _sums_files(folder) == []
    loaded = Retriever.load(folder, HashingEmbedder(64), verified=True)
    assert loaded.stats() == retriever.stats()
    with pytest.raises(VectorIndexError, match="not a saved index"):
        Retriever.load(folder, HashingEmbedder(64))  # on its own it cannot be trusted


def test_retrieval_folder_with_per_folder_checksums_still_loads_and_is_checked(
    retriever: Retriever, tmp_path: Path
) -> None:
    """The layout saved before one checksum file covered sub-folders: each folder listed only
    its own files (the top one the collections' state, each dense index its three files)."""
    folder = retriever.save(tmp_path / "ret", checksums=False)
    for sub in (folder, folder / "tickets" / "dense", folder / "articles" / "dense"):
        own = {n: d for n, d in folder_checksums(sub).items() if "/" not in n}
        (sub / CHECKSUMS_FILE).write_text(json.dumps(own))
    assert len(_sums_files(folder)) == 3
    Retriever.load(folder, HashingEmbedder(64))
    (folder / DENSE).write_bytes(b"evil")
    with pytest.raises(VectorIndexError, match="truncated or altered"):
        Retriever.load(folder, HashingEmbedder(64))
