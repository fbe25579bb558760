"""Column mappings: presets, the example mappings in data/mappings, and precise mapping errors."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import yaml

from triage.errors import MappingError
from triage.ingest import load_mapping, parse_mapping, preset_names, read_tickets
from triage.schema import Channel, Level, Priority, Status

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = sorted((REPO / "data" / "mappings").glob("*.yaml"))
FIXTURES = REPO / "tests" / "fixtures" / "ingest"


def _mapping(**fields: Any) -> dict[str, Any]:
    return {"name": "t", "fields": {"ticket_id": "id", "body": "text", **fields}}


def test_ingest_presets_all_load() -> None:
    names = preset_names()
    assert {"triage", "it_service_tickets_48k", "hadoop_bugs", "support_tickets_synthetic"} <= set(
        names
    )
    for name in names:
        assert load_mapping(name).name == name


def test_ingest_example_mappings_exist_and_load() -> None:
    names = {p.stem for p in EXAMPLES}
    assert {"topdesk", "zendesk", "jira", "servicenow"} <= names
    for path in EXAMPLES:
        mapping = load_mapping(path)
        assert {"subject", "body"} & mapping.fields.keys()


def test_ingest_topdesk_example_reads_a_cp1252_semicolon_export() -> None:
    mapping = load_mapping(REPO / "data/mappings/topdesk.yaml")
    result = read_tickets(FIXTURES / "topdesk_cp1252.csv", mapping)
    assert (result.report.read, result.report.accepted) == (3, 3)
    first, second, third = result.tickets
    assert first.requester == "José de Vries"
    assert first.created_at == datetime(2024, 3, 4, 7, 47, tzinfo=UTC)  # 08:47 Amsterdam (CET)
    assert (first.priority, first.impact, first.urgency) == (Priority.P3, Level.LOW, Level.MEDIUM)
    assert (first.channel, first.status) == (Channel.EMAIL, Status.RESOLVED)
    assert first.body.endswith("Papierlade gereset")  # two columns joined; signature cut first
    assert "Met vriendelijke groet" not in first.body
    assert second.time_spent_minutes == 5.5  # decimal comma
    assert "Original Message" not in second.body
    assert third.priority == Priority.P1
    assert {t.language for t in result.tickets} == {"nl"}


def test_ingest_unknown_column_names_the_columns(tmp_path: Path) -> None:
    path = tmp_path / "export.csv"
    path.write_text("id;Prioriteit;text\n1;Hoog;iets\n", encoding="utf-8")
    mapping = parse_mapping(_mapping(priority={"column": "Priorteit", "values": {"Hoog": "P2"}}))
    with pytest.raises(MappingError) as info:
        read_tickets(path, mapping)
    message = str(info.value)
    assert "column 'Priorteit' not in the export; columns are: 'id', 'Prioriteit'" in message
    assert "did you mean 'Prioriteit'" in message


def test_ingest_optional_column_may_be_absent(tmp_path: Path) -> None:
    path = tmp_path / "export.csv"
    path.write_text("id,text\n1,de printer is stuk\n", encoding="utf-8")
    mapping = parse_mapping(_mapping(category={"column": "Categorie", "optional": True}))
    result = read_tickets(path, mapping)
    assert result.tickets[0].category is None


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ({"fields": {"ticket_id": "id"}}, "map at least one of 'subject' or 'body'"),
        (_mapping(prioriteit="P"), "'prioriteit' is not a ticket field; did you mean 'priority'"),
        (_mapping(priority={"column": "P", "values": {"Hoog": "P5"}}), "'P5' is not one of"),
        (_mapping(status={"column": "S", "values": {"x": "done"}}), "'done' is not one of"),
        (_mapping(priority={"column": "P", "unknown": "keep"}), "'unknown: keep' is not allowed"),
        (_mapping(priority={"column": "P", "unknown": "drop"}), "unknown 'drop' is not one of"),
        (_mapping(category={"colum": "C"}), "unknown key(s) ['colum']"),
        (_mapping(category={"column": "C", "columns": ["D"]}), "not both"),
        (_mapping(category={}), "give 'column', 'columns' or 'constant'"),
        (_mapping(subject={"generate": "line"}), "only ticket_id can be generated"),
        ({**_mapping(), "timezone": "Mars/Olympus"}, "unknown timezone 'Mars/Olympus'"),
        ({**_mapping(), "delimiter": ";;"}, "delimiter must be one character"),
        ({**_mapping(), "format": "xlsx"}, "format 'xlsx' is not one of"),
        ({**_mapping(), "near_duplicates": 0.2}, "near_duplicates must be a Jaccard"),
        ({**_mapping(), "colums": {}}, "unknown key(s) ['colums']"),
    ],
)
def test_ingest_mapping_errors_are_precise(raw: dict[str, Any], message: str) -> None:
    with pytest.raises(MappingError, match=None) as info:
        parse_mapping(raw)
    assert message in str(info.value)


def test_ingest_unknown_preset_lists_presets() -> None:
    with pytest.raises(MappingError, match=r"unknown mapping 'topdesk_v9'; presets are: .*triage"):
        load_mapping("topdesk_v9")


def test_ingest_missing_mapping_file(tmp_path: Path) -> None:
    with pytest.raises(MappingError, match="no such mapping file"):
        load_mapping(tmp_path / "nope.yaml")


def test_ingest_invalid_yaml(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text("fields: [unclosed\n", encoding="utf-8")
    with pytest.raises(MappingError, match="not valid YAML"):
        load_mapping(path)


def test_ingest_id_generated_from_line_when_unmapped(tmp_path: Path) -> None:
    path = tmp_path / "export.csv"
    path.write_text('text\n"two\nlines"\nsecond ticket\n', encoding="utf-8")
    mapping = parse_mapping({"name": "x", "fields": {"body": "text"}})
    assert [t.ticket_id for t in read_tickets(path, mapping).tickets] == ["x-2", "x-4"]


def test_ingest_readme_example_mapping_is_valid() -> None:
    readme = (REPO / "data" / "mappings" / "README.md").read_text(encoding="utf-8")
    block = readme.split("```yaml\n", 1)[1].split("```", 1)[0]
    mapping = parse_mapping(yaml.safe_load(block))
    assert mapping.fields["body"].columns == ("Verzoek", "Actie")
    assert mapping.fields["resolved_at"].optional


def test_ingest_jsonl_field_first_seen_after_the_column_sample_is_kept(tmp_path: Path) -> None:
    from triage.ingest.readers import JSONL_COLUMN_SAMPLE

    path = tmp_path / "export.jsonl"
    rows = [{"id": str(i), "text": f"printer {i} stuk"} for i in range(JSONL_COLUMN_SAMPLE + 5)]
    rows[-1]["Oplossing"] = "toner vervangen"
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    mapping = parse_mapping(_mapping(solution={"column": "Oplossing", "optional": True}))
    result = read_tickets(path, mapping)
    assert result.tickets[-1].solution == "toner vervangen"
    assert result.report.accepted == len(rows)


def test_ingest_value_mapped_to_null_leaves_the_field_empty(tmp_path: Path) -> None:
    path = tmp_path / "export.csv"
    path.write_text("id,prio,text\n1,n/a,vpn\n2,Hoog,vpn\n", encoding="utf-8")
    mapping = parse_mapping(
        _mapping(priority={"column": "prio", "values": {"n/a": None, "Hoog": "P2"}})
    )
    tickets = read_tickets(path, mapping).tickets
    assert [t.priority for t in tickets] == [None, Priority.P2]
