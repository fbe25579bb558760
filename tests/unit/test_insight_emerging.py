"""Emerging incidents: a burst of similar tickets is alerted within minutes, the usual traffic is
not, later tickets join the incident; planted outages in generated data are found."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pytest

from triage.errors import ConfigError
from triage.insight.emerging import BurstDetector, BurstParams, poisson_sf

START = datetime(2025, 3, 3, 8, 0, tzinfo=UTC)
DIM = 16


def unit(rng: np.random.Generator, centre: np.ndarray, spread: float) -> np.ndarray:
    v = centre + spread * rng.normal(size=DIM)
    return v / np.linalg.norm(v)


def background(days: int, per_hour: int, topics: int = 12, seed: int = 0) -> tuple:
    """Office-hours traffic spread over `topics` kinds of ticket."""
    rng = np.random.default_rng(seed)
    centres = rng.normal(size=(topics, DIM))
    ids, times, vectors = [], [], []
    for day in range(days):
        for hour in range(8):
            for k in range(per_hour):
                when = START + timedelta(days=day, hours=hour, minutes=k * 60 / per_hour)
                ids.append(f"B{len(ids)}")
                times.append(when)
                vectors.append(unit(rng, centres[len(ids) % topics], 0.3))
    return ids, times, np.array(vectors, dtype=np.float32)


def merged(base: tuple, burst: tuple) -> tuple:
    order = np.argsort(np.array([t.timestamp() for t in base[1] + burst[1]]), kind="stable")
    ids = [(base[0] + burst[0])[i] for i in order]
    times = [(base[1] + burst[1])[i] for i in order]
    return ids, times, np.vstack([base[2], burst[2]])[order]


def burst(at: datetime, n: int, seed: int = 1) -> tuple:
    rng = np.random.default_rng(seed)
    centre = rng.normal(size=DIM)
    times = [at + timedelta(minutes=3 * i) for i in range(n)]
    return [f"X{i}" for i in range(n)], times, np.array([unit(rng, centre, 0.1) for _ in times])


def test_usual_traffic_raises_no_alarm() -> None:
    detector = BurstDetector(BurstParams(similarity=0.8))
    detector.observe(*background(days=20, per_hour=6))
    assert detector.incidents == []


def test_burst_is_alerted_within_minutes_and_later_tickets_join_it() -> None:
    outage_at = START + timedelta(days=15, hours=2)
    ids, times, vectors = merged(background(days=20, per_hour=6), burst(outage_at, 12))
    detector = BurstDetector(BurstParams(similarity=0.8, min_count=5))
    raised = detector.observe(ids, times, vectors)
    assert len(raised) == 1
    incident = raised[0]
    assert incident.first_at == outage_at
    assert incident.alert_at == outage_at + timedelta(minutes=12)  # the 5th ticket (min_count 5)
    assert sorted(incident.ticket_ids) == sorted(f"X{i}" for i in range(12))
    assert incident.as_dict()["minutes_to_alert"] == 12.0
    assert detector.open_incidents(outage_at + timedelta(minutes=60)) == [incident]
    assert detector.open_incidents(outage_at + timedelta(hours=6)) == []


def test_kind_that_is_always_busy_needs_more_to_alert() -> None:
    """Ten similar tickets an hour is usual for a kind that always comes ten an hour."""
    rng = np.random.default_rng(3)
    centre = rng.normal(size=DIM)
    times = [START + timedelta(minutes=6 * i) for i in range(10 * 24 * 14)]
    vectors = np.array([unit(rng, centre, 0.1) for _ in times], dtype=np.float32)
    detector = BurstDetector(BurstParams(similarity=0.8))
    detector.observe([f"R{i}" for i in range(len(times))], times, vectors)
    assert detector.incidents == []


def test_detector_refuses_tickets_out_of_time_order() -> None:
    detector = BurstDetector()
    v = np.ones((2, DIM), dtype=np.float32) / DIM**0.5
    with pytest.raises(ConfigError, match="time order"):
        detector.observe(["a", "b"], [START, START - timedelta(minutes=1)], v)


def test_burst_params_refuse_bad_values() -> None:
    with pytest.raises(ConfigError):
        BurstParams(similarity=0.0)
    with pytest.raises(ConfigError):
        BurstParams(min_count=1)
    with pytest.raises(ConfigError):
        BurstParams(window_minutes=60 * 24 * 40)


def test_poisson_tail_matches_a_hand_computed_value() -> None:
    # P(X >= 2) for Poisson(1) = 1 - e^-1 (1 + 1)
    assert poisson_sf(2, 1.0) == pytest.approx(1 - 2 * np.exp(-1))
    assert poisson_sf(0, 3.0) == 1.0


@pytest.mark.slow
def test_planted_outages_in_generated_data_are_found(tmp_path: Path) -> None:
    """The sample generator plants outages (`SampleData.outages`); with the default settings
    and the multilingual embedder most are alerted within minutes, with no false alarm."""
    from triage.embedding_cache import CachedEmbedder
    from triage.embeddings import load_embedder
    from triage.sample import generate

    data = generate(3000, seed=9)
    tickets = sorted((t for t in data.tickets if t.created_at), key=lambda t: t.created_at)  # type: ignore[arg-type, return-value]
    embedder = CachedEmbedder(load_embedder("use-multilingual"), tmp_path / "embeddings")
    vectors = embedder.encode([t.text for t in tickets])
    detector = BurstDetector()
    detector.observe([t.ticket_id for t in tickets], [t.created_at for t in tickets], vectors)  # type: ignore[misc]
    first: dict[int, datetime] = {}
    for t in tickets:
        outage = data.outages.get(t.ticket_id)
        if outage is not None and t.created_at is not None:
            first.setdefault(outage, t.created_at)
    found, false_alarms = {}, 0
    for incident in detector.incidents:
        votes = Counter(data.outages.get(i) for i in incident.ticket_ids[: incident.observed])
        outage, count = votes.most_common(1)[0]
        if outage is None or count < incident.observed / 2:
            false_alarms += 1
        else:
            found.setdefault(outage, (incident.alert_at - first[outage]).total_seconds() / 60)
    assert len(found) >= 0.8 * len(first)
    assert false_alarms <= 1
    assert np.median(list(found.values())) <= 30
