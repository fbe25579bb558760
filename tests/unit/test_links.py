"""Linked targets: the child's served distribution is its marginal over the parent's."""

from __future__ import annotations

import numpy as np
import pytest

from triage.links import LinkTable

PARENTS = ["db", "hw", "net"]
LINES = ["1", "2", "3"]


def link() -> LinkTable:
    # net -> 2 only, hw -> 1 only, db -> 2 or 3
    parents = ["net"] * 40 + ["hw"] * 40 + ["db"] * 20 + ["db"] * 20
    children = ["2"] * 40 + ["1"] * 40 + ["2"] * 20 + ["3"] * 20
    return LinkTable("category", "support_line").fit(parents, children)


def test_link_marginal_is_a_distribution_and_not_certain_because_of_the_link() -> None:
    rng = np.random.default_rng(0)
    parent = rng.dirichlet(np.ones(3), 50)
    child = rng.dirichlet(np.ones(3), 50)
    served = link().marginal(parent, PARENTS, child, LINES)
    np.testing.assert_allclose(served.sum(axis=1), 1.0, atol=1e-12)
    assert (served >= 0).all()
    # Line 1 is only possible under "hw": its probability is at most P(hw | x).
    assert (served[:, 0] <= parent[:, 1] + 1e-12).all()
    assert served.max() < 1.0


def test_link_marginal_where_the_parent_decides_the_child_is_the_parent_confidence() -> None:
    parent = np.array([[0.1, 0.1, 0.8]])  # net 0.8, and net allows only line 2
    child = np.array([[0.3, 0.4, 0.3]])
    served = link().marginal(parent, PARENTS, child, LINES)
    # P(2) = P(net) * 1 + P(db) * 0.4 / 0.7 + P(hw) * 0 = 0.8 + 0.057
    assert served[0, 1] == pytest.approx(0.8 + 0.1 * 0.4 / 0.7)
    # The old renormalisation on the arg-max parent claimed certainty:
    assert link().restrict("net", child[0], LINES)[1] == pytest.approx(1.0)


def test_link_marginal_with_a_certain_parent_equals_the_restriction() -> None:
    child = np.array([[0.2, 0.5, 0.3]])
    served = link().marginal(np.array([[1.0, 0.0, 0.0]]), PARENTS, child, LINES)
    np.testing.assert_allclose(served[0], link().restrict("db", child[0], LINES))


def test_link_marginal_unknown_parent_and_zero_mass_keep_the_child() -> None:
    child = np.array([[0.0, 0.0, 1.0]])  # all mass on 3, which hw forbids
    served = link().marginal(np.array([[0.0, 1.0, 0.0]]), PARENTS, child, LINES)
    np.testing.assert_allclose(served[0], child[0])
    other = link().marginal(np.array([[1.0]]), ["new"], np.array([[0.2, 0.3, 0.5]]), LINES)
    np.testing.assert_allclose(other[0], [0.2, 0.3, 0.5])
