"""The one atomic folder writer: whole folders replace whole folders; checksums cover all."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from triage.atomic import CHECKSUMS_FILE, atomic_folder, find_problem, folder_checksums
from triage.errors import OutputError
from triage.outputs import FolderKind

KIND = FolderKind("test folder", "_made.json", "the test")


def _siblings(target: Path) -> list[str]:
    return sorted(p.name for p in target.parent.iterdir())


def test_atomic_folder_replaces_the_old_folder_whole(tmp_path: Path) -> None:
    target = tmp_path / "out"
    target.mkdir()
    (target / "_made.json").write_text("{}")  # written earlier by the same kind
    (target / "stale.txt").write_text("old")
    with atomic_folder(target, kind=KIND) as work:
        (work / "sub").mkdir()
        (work / "sub" / "new.txt").write_text("new")
        assert not (target / "sub").exists()  # nothing visible before the swap
    assert sorted(p.relative_to(target).as_posix() for p in target.rglob("*")) == [
        "sub",
        "sub/new.txt",
    ]
    assert _siblings(target) == ["out"]  # no temporary or old folder left behind


def test_atomic_folder_error_leaves_the_old_folder(tmp_path: Path) -> None:
    target = tmp_path / "out"
    target.mkdir()
    (target / "_made.json").write_text("{}")
    (target / "keep.txt").write_text("old")
    with pytest.raises(RuntimeError, match="half-way"), atomic_folder(target, kind=KIND) as work:
        (work / "partial.txt").write_text("x")
        raise RuntimeError("failed half-way")
    assert sorted(p.name for p in target.iterdir()) == ["_made.json", "keep.txt"]
    assert _siblings(target) == ["out"]


def test_atomic_folder_replaces_an_empty_folder(tmp_path: Path) -> None:
    target = tmp_path / "out"
    target.mkdir()
    with atomic_folder(target, kind=KIND) as work:
        (work / "new.txt").write_text("new")
    assert [p.name for p in target.iterdir()] == ["new.txt"]


@pytest.mark.parametrize("make", ["file", "folder of user files"])
def test_atomic_folder_refuses_what_another_kind_wrote_before_the_work(
    tmp_path: Path, make: str
) -> None:
    target = tmp_path / "out"
    if make == "file":
        target.write_bytes(b"user data")
    else:
        target.mkdir()
        (target / "notes.txt").write_bytes(b"user data")
    before = {p: p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()}
    worked = False
    with pytest.raises(OutputError, match="remove"), atomic_folder(target, kind=KIND):
        worked = True
    assert not worked  # refused before the caller's block ran
    assert {p: p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()} == before
    assert _siblings(target) == ["out"]


def test_atomic_checksums_cover_every_file_under_the_folder(tmp_path: Path) -> None:
    target = tmp_path / "out"
    with atomic_folder(target, CHECKSUMS_FILE, kind=KIND) as work:
        (work / "a.bin").write_bytes(b"a")
        (work / "deep" / "er").mkdir(parents=True)
        (work / "deep" / "er" / "b.bin").write_bytes(b"b")
    sums = json.loads((target / CHECKSUMS_FILE).read_text())
    assert set(sums) == {"a.bin", "deep/er/b.bin"}
    assert sums == folder_checksums(target, skip={CHECKSUMS_FILE})
    assert find_problem(target, sums, skip={CHECKSUMS_FILE}) is None


@pytest.mark.parametrize(
    ("change", "kind", "path"),
    [
        (lambda d: (d / "deep" / "b.bin").write_bytes(b"B"), "altered", "deep/b.bin"),
        (lambda d: (d / "a.bin").write_bytes(b""), "altered", "a.bin"),  # truncated
        (lambda d: (d / "a.bin").unlink(), "missing", "a.bin"),
        (lambda d: (d / "deep" / "extra.pkl").write_bytes(b"x"), "unlisted", "deep/extra.pkl"),
    ],
)
def test_atomic_find_problem_names_the_file(
    tmp_path: Path, change: object, kind: str, path: str
) -> None:
    (tmp_path / "deep").mkdir()
    (tmp_path / "a.bin").write_bytes(b"a")
    (tmp_path / "deep" / "b.bin").write_bytes(b"b")
    sums = folder_checksums(tmp_path)
    change(tmp_path)  # type: ignore[operator]
    problem = find_problem(tmp_path, sums)
    assert problem is not None and (problem.kind, problem.path) == (kind, path)
