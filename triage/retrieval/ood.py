"""The built-in unrelated queries: other domains' messages that no index should answer."""

from __future__ import annotations

from importlib import resources

OUT_OF_DOMAIN_FILE = "out_of_domain.txt"


def unrelated_texts() -> list[str]:
    """Hand-written non-IT messages (English, Dutch, German; `out_of_domain.txt` in this package),
    one per line: what "an unrelated query" looks like when calibrating an index's floor."""
    text = (resources.files("triage.retrieval") / OUT_OF_DOMAIN_FILE).read_text(encoding="utf-8")
    lines = (line.strip() for line in text.splitlines())
    return [line for line in lines if line and not line.startswith("#")]
