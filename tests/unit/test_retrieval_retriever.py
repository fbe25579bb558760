"""Retriever on hand-made tickets with the hashing embedder: hybrid, thresholds, votes, bundles."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pytest

from triage.embeddings import HashingEmbedder
from triage.errors import BundleError, ConfigError
from triage.retrieval import RetrievalConfig, Retriever
from triage.schema import KBArticle, Status, SupportLine, Ticket

T0 = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
TOPICS = {
    "KB-PRINT": (
        "Hardware",
        SupportLine.FIRST,
        [
            "printer on floor {n} is jammed and shows paper error",
            "the printer near room {n} prints blank pages",
            "cannot print to the office printer {n}, queue stuck",
            "printer {n} toner empty, pages come out faded",
            "printing fails with paper jam on printer {n}",
            "office printer {n} offline, print queue not moving",
        ],
    ),
    "KB-VPN": (
        "Network",
        SupportLine.SECOND,
        [
            "vpn connection drops every {n} minutes from home",
            "cannot connect to vpn, client says gateway unreachable {n}",
            "vpn tunnel disconnects when on hotel wifi {n}",
            "remote access vpn login loops back to the start {n}",
            "vpn client times out connecting to gateway {n}",
            "home office vpn slow and disconnects {n}",
        ],
    ),
    "KB-PWD": (
        "Access",
        SupportLine.FIRST,
        [
            "password expired, cannot log in to windows {n}",
            "account locked after wrong password attempts {n}",
            "need password reset for my account {n}",
            "forgot my password, login refused {n}",
            "password change required but portal fails {n}",
            "locked out of account, reset password please {n}",
        ],
    ),
    "KB-DISK": (
        "Storage",
        SupportLine.THIRD,
        [
            "shared drive full, cannot save files {n}",
            "network share quota exceeded on drive {n}",
            "disk space low on file server share {n}",
            "cannot write to shared folder, drive full {n}",
            "storage quota reached on team share {n}",
            "file server share out of disk space {n}",
        ],
    ),
}
ARTICLES = [
    KBArticle(
        article_id="KB-PRINT",
        title="Printer jams and print queue",
        body="Clear the paper jam, restart the print queue on the printer.",
        category="Hardware",
    ),
    KBArticle(
        article_id="KB-VPN",
        title="VPN disconnects",
        body="Update the vpn client and reconnect to the gateway.",
        category="Network",
    ),
    KBArticle(
        article_id="KB-PWD",
        title="Password reset and locked accounts",
        body="Reset the password in the portal and unlock the account.",
        category="Access",
    ),
    KBArticle(
        article_id="KB-DISK",
        title="Shared drive full",
        body="Request a bigger quota for the share or clean up old files.",
        category="Storage",
    ),
]


def _ticket(
    tid: str,
    text: str,
    kb: str | None,
    category: str,
    line: SupportLine,
    day: int,
    solved: bool = True,
    language: str = "en",
) -> Ticket:
    return Ticket(
        ticket_id=tid,
        subject=text,
        body="",
        category=category,
        support_line=line,
        language=language,
        created_at=T0 + timedelta(days=day),
        resolved_at=T0 + timedelta(days=day, hours=3) if solved else None,
        status=Status.RESOLVED if solved else Status.NEW,
        solution=f"applied {kb}" if solved else None,
        kb_article_id=kb,
    )


def _tickets() -> list[Ticket]:
    out, n = [], 0
    for kb, (category, line, templates) in TOPICS.items():
        for i, template in enumerate(templates):
            n += 1
            out.append(
                _ticket(
                    f"T{n}",
                    template.format(n=n),
                    kb,
                    category,
                    line,
                    n,
                    language="de" if i % 2 else "en",
                )
            )
    out.append(
        _ticket(
            "OPEN1", "printer jammed again", None, "Hardware", SupportLine.FIRST, 40, solved=False
        )
    )
    out.append(
        _ticket(
            "CODE1",
            "update install fails with 0x80070005 access denied",
            None,
            "Software",
            SupportLine.SECOND,
            41,
        )
    )
    out.append(
        _ticket(
            "HOST1",
            "backup job on srv-fin-07 failed overnight",
            None,
            "Storage",
            SupportLine.THIRD,
            42,
        )
    )
    for j in range(5):
        out.append(
            _ticket(
                f"MAIL{j}",
                f"outlook mailbox sync error on laptop keeps failing today {j}",
                None,
                "Email",
                SupportLine.FIRST,
                43 + j,
            )
        )
    return out


@pytest.fixture(scope="module")
def retriever() -> Retriever:
    return Retriever.build(_tickets(), ARTICLES, HashingEmbedder(1024))


def test_retriever_indexes_only_solved_tickets(retriever: Retriever) -> None:
    assert len(retriever.tickets) == 24 + 7
    assert "OPEN1" not in retriever.tickets.dense
    assert len(retriever.articles) == 4


def test_retriever_similar_returns_solved_ticket_with_solution(retriever: Retriever) -> None:
    hits = retriever.similar("the printer on floor 9 is jammed with paper", k=3)
    assert hits and hits[0].category == "Hardware"
    assert hits[0].solution == "applied KB-PRINT" and hits[0].resolved_at is not None
    assert [h.similarity for h in hits] == sorted((h.similarity for h in hits), reverse=True)


def test_retriever_threshold_returns_nothing_for_unrelated_query(retriever: Retriever) -> None:
    assert retriever.calibration["tickets"]["floor"]["source"] == "calibrated"
    assert retriever.similar("quarterly marketing budget cafeteria menu", k=5) == []
    assert retriever.kb("quarterly marketing budget cafeteria menu") == []


def test_retriever_kb_suggests_the_matching_article(retriever: Retriever) -> None:
    suggestions = retriever.kb("vpn keeps disconnecting from the gateway at home")
    assert suggestions and suggestions[0].article_id == "KB-VPN"
    assert suggestions[0].snippet.startswith("Update the vpn client")


@pytest.mark.parametrize(
    ("query", "wanted"),
    [("outlook error 0x80070005", "CODE1"), ("mailbox sync fails on srv-fin-07", "HOST1")],
)
def test_retriever_hybrid_finds_exact_code_that_dense_misses(
    retriever: Retriever, query: str, wanted: str
) -> None:
    vector = retriever.embedder.encode([query])[0]
    dense_only = RetrievalConfig(fusion="dense")
    dense_hits = retriever.tickets.search(query, vector, 3, dense_only, gate=False)
    assert wanted not in [h.id for h in dense_hits]
    assert retriever.similar(query, k=3)[0].ticket_id == wanted


def test_retriever_filters_are_respected(retriever: Retriever) -> None:
    hits = retriever.similar(
        "printer toner empty, pages come out faded", k=5, filters={"language": "de"}
    )
    assert hits and all(
        retriever.tickets.dense.metadata(h.ticket_id)["language"] == "de" for h in hits
    )
    since = T0 + timedelta(days=4)
    dated = retriever.similar("printer jammed", k=5, filters={"since": since})
    assert all(
        retriever.tickets.dense.metadata(h.ticket_id)["created_at"] >= since.isoformat()
        for h in dated
    )
    assert retriever.similar("printer jammed", k=5, filters={"category": "Network"}) == []
    with pytest.raises(ConfigError, match="unknown filter"):
        retriever.similar("printer", filters={"colour": "red"})


def test_retriever_neighbour_votes_report_majority(retriever: Retriever) -> None:
    votes = {
        v.target: v for v in retriever.neighbour_votes("vpn drops when working from home", k=5)
    }
    assert votes["category"].label == "Network" and votes["category"].of == 5
    assert votes["support_line"].label == "2"
    assert (
        votes["category"].count >= 3
        and "most similar solved tickets" in votes["category"].sentence()
    )


def test_retriever_accepts_precomputed_vector(retriever: Retriever) -> None:
    text = "account locked after wrong password"
    vector = retriever.embedder.encode([text])[0]
    assert retriever.similar(text, vector=vector) == retriever.similar(text)


def test_retriever_add_and_remove_online() -> None:
    r = Retriever.build(
        _tickets(), ARTICLES, HashingEmbedder(1024), RetrievalConfig(min_relevance=0.0)
    )
    new = _ticket(
        "NEW1",
        "plotter xq-55 smears ink on every page",
        "KB-PRINT",
        "Hardware",
        SupportLine.FIRST,
        60,
    )
    assert r.add_ticket(new)
    assert r.similar("plotter xq-55 smears ink", k=1)[0].ticket_id == "NEW1"
    assert not r.add_ticket(new.replace(status=Status.IN_PROGRESS, solution=None))
    assert "NEW1" not in r.tickets.dense
    r.add_ticket(new)
    assert r.remove("NEW1") == 1
    assert all(h.ticket_id != "NEW1" for h in r.similar("plotter xq-55 smears ink", k=50))
    assert "NEW1" not in r.tickets.lexical._docs
    r.add_article(
        KBArticle(article_id="KB-NEW", title="Plotter smears", body="Replace the xq-55 ink head.")
    )
    assert r.kb("plotter xq-55 smears")[0].article_id == "KB-NEW"


def test_retriever_save_load_round_trip(retriever: Retriever, tmp_path: Path) -> None:
    retriever.save(tmp_path / "ret")
    loaded = Retriever.load(tmp_path / "ret", HashingEmbedder(1024))
    for q in ("printer jammed on floor 2", "vpn drops", "quarterly budget"):
        assert loaded.similar(q) == retriever.similar(q)
        assert loaded.kb(q) == retriever.kb(q)
    assert loaded.stats() == retriever.stats()


def test_retriever_load_refuses_other_embedder(retriever: Retriever, tmp_path: Path) -> None:
    retriever.save(tmp_path / "ret")
    with pytest.raises(
        BundleError,
        match=r"index built with hashing-1024 \(dim 1024\), loaded with hashing-64 \(dim 64\); "
        "re-export",
    ):
        Retriever.load(tmp_path / "ret", HashingEmbedder(64))


def test_retriever_load_refuses_tampered_state(retriever: Retriever, tmp_path: Path) -> None:
    from triage.errors import VectorIndexError

    retriever.save(tmp_path / "ret")
    state = tmp_path / "ret" / "tickets.json"
    state.write_text(state.read_text().replace("printer", "scanner"))
    with pytest.raises(VectorIndexError, match=r"tickets\.json"):
        Retriever.load(tmp_path / "ret", HashingEmbedder(1024))


def test_retriever_rejects_vector_of_wrong_size(retriever: Retriever) -> None:
    from triage.errors import VectorIndexError

    with pytest.raises(VectorIndexError, match="expected"):
        retriever.similar("printer", vector=np.ones(8, dtype=np.float32))


@pytest.mark.slow
def test_retriever_with_packaged_minilm_finds_paraphrase_and_rejects_unrelated() -> None:
    from triage.embeddings import SentenceTransformerEmbedder

    r = Retriever.build(_tickets(), ARTICLES, SentenceTransformerEmbedder())
    assert r.stats()["dim"] == 384
    hits = r.similar("my remote connection to the company network keeps dropping", k=3)
    assert hits and hits[0].category == "Network"
    assert r.kb("I forgot my login password")[0].article_id == "KB-PWD"
    assert r.similar("recipe for a chocolate birthday cake with strawberries", k=5) == []


def test_retriever_load_keeps_bm25_for_an_index_saved_before_the_lexical_option(
    retriever: Retriever, tmp_path: Path
) -> None:
    import hashlib
    import json

    folder = retriever.save(tmp_path / "ret")
    manifest = json.loads((folder / "retriever.json").read_text())
    del manifest["config"]["lexical"]
    data = json.dumps(manifest).encode()
    (folder / "retriever.json").write_bytes(data)
    sums = json.loads((folder / "checksums.json").read_text())
    sums["retriever.json"] = hashlib.sha256(data).hexdigest()
    (folder / "checksums.json").write_text(json.dumps(sums))
    assert Retriever.load(folder, HashingEmbedder(1024)).config.lexical == "bm25"
    assert Retriever.load(
        retriever.save(tmp_path / "new"), HashingEmbedder(1024)
    ).config.lexical == ("tfidf")
