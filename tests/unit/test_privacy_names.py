"""Person names: context cues find names in the hand-written evaluation set without flagging
product and team names; the measured recall and precision are in BENCHMARKS.md (Privacy)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from triage.privacy.names import find_context_names, known_name_pattern
from triage.privacy.spans import Span

EVAL_SET = Path(__file__).parents[1] / "data" / "redaction_names.jsonl"


def _score(split: str) -> tuple[float, float]:
    """Recall (planted names wholly inside a find) and precision (finds touching a name)."""
    hits = total = good = finds = 0
    for line in EVAL_SET.read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        if row["split"] != split:
            continue
        gold = _gold_spans(row["text"], row["names"])
        found = list(find_context_names(row["text"]))
        total += len(gold)
        hits += sum(any(f.start <= g[0] and g[1] <= f.end for f in found) for g in gold)
        finds += len(found)
        good += sum(any(f.start < g[1] and g[0] < f.end for g in gold) for f in found)
    return hits / total, good / max(finds, 1)


def _gold_spans(text: str, names: list[str]) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    for name in names:
        start = text.index(
            name, spans[-1][1] if spans and text[spans[-1][0] :].startswith(name) else 0
        )
        spans.append((start, start + len(name)))
    return spans


def test_context_names_on_the_held_out_split_stay_above_the_recorded_floor() -> None:
    # Floors below the figures measured once on the test split (recall 0.58, precision 0.94;
    # the cues were written on the dev split): a regression guard, not a target.
    recall, precision = _score("test")
    assert recall >= 0.5 and precision >= 0.9, (recall, precision)


@pytest.mark.parametrize(
    "text",
    [
        "Teamleider Publiekshal belt: kassa storing",
        "Met vriendelijke groet,\nServicedesk",
        "Kind regards,\nHelpdesk Team\n",
        "ik ben bezig met de update",
        "The user Outlook crashed",
    ],
)
def test_context_names_skip_roles_teams_and_lowercase_words(text: str) -> None:
    assert [text[s.start : s.end] for s in find_context_names(text)] == []


def test_known_name_pattern_covers_initial_and_surname_but_not_other_words() -> None:
    pattern = known_name_pattern("Jan de Boer")
    assert pattern is not None
    text = "J. de Boer, jan de boer, De Boer, Jan; januari en boer blijven"
    assert [m.group(0) for m in pattern.finditer(text)] == [
        "J. de Boer",
        "jan de boer",
        "De Boer",
        "Jan",
    ]
    assert known_name_pattern("  ") is None


def test_span_order_is_text_order() -> None:
    assert sorted([Span(5, 6, "EMAIL"), Span(1, 2, "IP")])[0].start == 1  # type: ignore[arg-type]
