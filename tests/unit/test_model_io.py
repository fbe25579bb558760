"""The model file: skops round-trips the model exactly, refuses foreign types; old pickles load."""

from __future__ import annotations

import io
import logging
from fractions import Fraction
from pathlib import Path

import joblib
import numpy as np
import pytest
import skops.io as sio
from test_bundle import tiny_model

from triage.embeddings import HashingEmbedder
from triage.errors import BundleError
from triage.features import feature_input
from triage.model_io import PICKLE_FILE, SKOPS_FILE, dump_model, load_model_bytes
from triage.schema import Ticket
from triage.triager import TriageModel


def test_model_io_skops_round_trip_gives_identical_probabilities(tmp_path: Path) -> None:
    embedder = HashingEmbedder(16)
    model = tiny_model(embedder)
    name = dump_model(model, tmp_path)
    loaded = load_model_bytes({name: (tmp_path / name).read_bytes()}, tmp_path)
    assert isinstance(loaded, TriageModel)
    tickets = [Ticket(ticket_id="q", subject="vpn router down"), Ticket(ticket_id="r", body="x")]
    data = feature_input(tickets, embedder.encode([t.text for t in tickets]))
    before, after = model.predict_proba(data), loaded.predict_proba(data)
    for target in before:
        np.testing.assert_array_equal(before[target], after[target])


def test_model_io_skops_file_with_a_foreign_type_is_refused(tmp_path: Path) -> None:
    """skops builds only trusted types: anything outside triage and what skops trusts itself
    (scikit-learn, NumPy, SciPy) is refused before an object is made."""
    blob = sio.dumps({"model": Fraction(1, 3)})
    with pytest.raises(BundleError, match=r"fractions\.Fraction"):
        load_model_bytes({SKOPS_FILE: blob}, tmp_path)
    with pytest.raises(BundleError, match="cannot be loaded"):
        load_model_bytes({SKOPS_FILE: blob[:100]}, tmp_path)


def test_model_io_old_pickle_bundle_still_loads_with_a_warning(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    buffer = io.BytesIO()
    joblib.dump({"old": 1}, buffer)
    with caplog.at_level(logging.WARNING, logger="triage.model_io"):
        assert load_model_bytes({PICKLE_FILE: buffer.getvalue()}, tmp_path) == {"old": 1}
    assert "re-export" in caplog.text
    with pytest.raises(BundleError, match=r"no model\.skops"):
        load_model_bytes({}, tmp_path)
