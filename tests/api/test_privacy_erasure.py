"""Erasure across the store, a bundle's index files and the embedding cache, with an audit."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import sqlalchemy as sa
from pii import REQUESTER, holds
from service_helpers import build_tiny_bundle
from tiny_data import make_tickets

from triage.bundle import verify_bundle
from triage.embedding_cache import CachedEmbedder
from triage.embeddings import HashingEmbedder
from triage.errors import ConfigError
from triage.privacy.erasure import ErasureRequest, apply_erasures, erase
from triage.privacy.folders import forget_in_cache_dir, open_folder_index
from triage.privacy.guard import TicketPrivacy
from triage.store.erasure import audit_log, erased_hashes
from triage.store.records import FeedbackRecord, PredictionRecord, ResolvedRecord
from triage.store.sql import SqlFeedbackStore, open_store
from triage.store.tables import erasure_audit
from triage.triager import Triager


@pytest.fixture()
def privacy(tmp_path: Path) -> TicketPrivacy:
    return TicketPrivacy.from_section({}, secret_file=tmp_path / "secret")


@pytest.fixture()
def store(tmp_path: Path) -> SqlFeedbackStore:
    return open_store(f"sqlite:///{tmp_path / 'store.db'}")


@pytest.fixture(scope="module")
def bundle_tickets(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, TicketPrivacy]:
    """A bundle whose first five tickets belong to the planted requester (pseudonymised)."""
    root = tmp_path_factory.mktemp("erasure")
    privacy = TicketPrivacy.from_section({}, secret_file=root / "secret")
    tickets = make_tickets(120)
    mine = [t.replace(requester=REQUESTER) if i < 5 else t for i, t in enumerate(tickets)]
    bundle = build_tiny_bundle(root / "bundle", "v1", tickets=privacy.tickets(mine))
    return bundle, privacy


def _fill(store: SqlFeedbackStore, privacy: TicketPrivacy) -> None:
    tickets = make_tickets(6)
    for i, ticket in enumerate(tickets):
        who = REQUESTER if i < 2 else f"other{i}@example.nl"
        private = privacy.ticket(ticket.replace(requester=who))
        store.record_predictions([PredictionRecord(f"p{i}", private, "v1", {})])
        store.record_feedback(FeedbackRecord(f"p{i}", "accepted", comment="ok"))
        store.record_resolved(ResolvedRecord(ticket=private, prediction_id=f"p{i}"))


def test_erasure_request_needs_exactly_one_subject() -> None:
    with pytest.raises(ConfigError, match="exactly one"):
        ErasureRequest()
    with pytest.raises(ConfigError, match="exactly one"):
        ErasureRequest(requester="x", ticket_ids=("T1",))
    assert ErasureRequest(older_than_months=6).kind == "retention"


def test_erasure_deletes_a_requesters_rows_and_audits_without_personal_data(
    store: SqlFeedbackStore, privacy: TicketPrivacy
) -> None:
    _fill(store, privacy)
    request = ErasureRequest(requester="SANNE.DEVRIES@rivierstad.example")
    result = erase(request, privacy, store.engine, actor="cli:test")
    assert len(result.ticket_ids) == 2
    assert result.counts["predictions"] == 2 and result.counts["resolved_tickets"] == 2
    assert result.counts["feedback"] == 2
    assert {p.ticket.ticket_id for p in store.iter_predictions()} == {
        "T00002",
        "T00003",
        "T00004",
        "T00005",
    }
    assert len(list(store.iter_resolved())) == 4 and len(list(store.iter_feedback())) == 4
    (row,) = audit_log(store.engine)
    assert row["actor"] == "cli:test" and row["kind"] == "requester" and row["tickets"] == 2
    assert row["subject_hash"] == privacy.requester_hash(REQUESTER)
    assert "devries" not in str(row).lower() and "T0000" not in str(row)
    assert len(erased_hashes(store.engine)) == 2


def test_erasure_from_a_bundle_keeps_it_loadable_and_leaves_no_trace(
    tmp_path: Path, bundle_tickets: tuple[Path, TicketPrivacy], store: SqlFeedbackStore
) -> None:
    source, privacy = bundle_tickets
    import shutil

    bundle = Path(shutil.copytree(source, tmp_path / "bundle"))
    before = open_folder_index(bundle)
    assert len(before.tickets) == 120
    # the index keeps each ticket's id, subject and solution (whole JSON strings: "fixed network
    # 1" must not match "fixed network 12")
    traces = [
        w for t in make_tickets(5) for w in (t.ticket_id, f'"{t.subject}"', f'"{t.solution}"')
    ]
    assert {w for ws in holds([bundle], traces).values() for w in ws} == set(traces)  # there before
    result = erase(
        ErasureRequest(requester=REQUESTER), privacy, store.engine, folders=[bundle], actor="t"
    )
    assert result.counts["index_files"] == 5
    verify_bundle(bundle)  # checksums re-written: still loadable
    triager = Triager.load(bundle, embedder=HashingEmbedder(32))
    assert len(triager.retriever.tickets) == 115
    assert not {f"T{i:05d}" for i in range(5)} & set(triager.retriever.tickets.dense.ids)
    assert holds([bundle], traces) == {}  # the erased tickets' ids and texts: in no file


def test_apply_erasures_drops_erased_tickets_from_an_older_bundle(
    bundle_tickets: tuple[Path, TicketPrivacy], store: SqlFeedbackStore
) -> None:
    bundle, privacy = bundle_tickets
    erase(ErasureRequest(ticket_ids=("T00007", "T00008")), privacy, store.engine, actor="t")
    triager = Triager.load(bundle, embedder=HashingEmbedder(32))  # the untouched original
    assert apply_erasures(triager.retriever, privacy, store.engine) == 2
    assert "T00007" not in triager.retriever.tickets


def test_erasure_retention_removes_old_rows(
    store: SqlFeedbackStore, privacy: TicketPrivacy
) -> None:
    _fill(store, privacy)
    with store.engine.begin() as conn:
        conn.execute(sa.text("UPDATE predictions SET created_at = '2020-01-01 00:00:00'"))
        conn.execute(sa.text("UPDATE resolved_tickets SET created_at = '2020-01-01 00:00:00'"))
    result = erase(ErasureRequest(older_than_months=12), privacy, store.engine, actor="t")
    assert len(result.ticket_ids) == 6 and list(store.iter_predictions()) == []
    with store.engine.connect() as conn:
        assert conn.execute(sa.select(erasure_audit.c.kind)).scalar() == "retention"


def test_erasure_forgets_cached_vectors(tmp_path: Path, privacy: TicketPrivacy) -> None:
    cache = CachedEmbedder(HashingEmbedder(16), tmp_path / "cache", privacy.pseudonymizer)
    cache.encode(["keep me", "erase me", "erase me too"])
    removed = forget_in_cache_dir(tmp_path / "cache", privacy, ["erase me", "erase me too"])
    assert removed == 2
    fresh = CachedEmbedder(HashingEmbedder(16), tmp_path / "cache", privacy.pseudonymizer)
    assert len(fresh._load()) == 1
    np.testing.assert_array_equal(
        fresh.encode(["keep me"]), HashingEmbedder(16).encode(["keep me"])
    )
