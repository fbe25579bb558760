"""Fixtures for training tests: tiny hand-made separable tickets and a fast config."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from tiny_data import make_tickets, tiny_config

from training.config import TrainConfig
from triage.schema import Ticket


@pytest.fixture(scope="session")
def tickets() -> list[Ticket]:
    """240 separable tickets with all three targets."""
    return make_tickets(240, seed=0)


@pytest.fixture(scope="session")
def ticket_factory() -> Callable[..., list[Ticket]]:
    return make_tickets


@pytest.fixture(scope="session")
def config() -> TrainConfig:
    return tiny_config()
