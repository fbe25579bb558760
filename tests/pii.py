"""Planted personal data for the end-to-end privacy tests, and a scanner that looks for it in
every file under a folder (Parquet, joblib and SQLite contents included)."""

from __future__ import annotations

import pickle
from pathlib import Path

import pyarrow.parquet as pq

IBAN = "NL91ABNA0417164300"  # mod-97 valid
BSN = "111222333"  # passes the eleven-test
EMAIL = "sanne.devries@rivierstad.example"
PHONE = "06-12345678"
PASSWORD = "Zomer2025!Geheim"
REQUESTER = "Sanne de Vries <sanne.devries@rivierstad.example>"

PLANTED_TEXT = (
    f"Mijn IBAN is {IBAN} en mijn BSN {BSN}. Mail me op {EMAIL} of bel {PHONE}. "
    f"Mijn wachtwoord is {PASSWORD} maar inloggen lukt niet."
)
"""One ticket body with all of it: IBAN, BSN, e-mail, phone, a pasted password."""


def needles() -> list[bytes]:
    """What must never be found: each value as written, lower-cased and without separators."""
    values = [IBAN, BSN, EMAIL, PHONE, PHONE.replace("-", ""), PASSWORD, "sanne.devries"]
    values.append("Sanne de Vries")
    forms = {v for value in values for v in (value, value.lower())}
    return sorted(f.encode() for f in forms)


def _contents(path: Path) -> bytes:
    """The bytes to scan: decoded for compressed formats, raw otherwise."""
    raw = path.read_bytes()
    if path.suffix == ".parquet":
        return str(pq.read_table(path).to_pylist()).encode()
    if path.suffix == ".joblib":
        import joblib

        return raw + pickle.dumps(joblib.load(path))
    return raw


def scan(*roots: Path) -> dict[str, list[str]]:
    """File -> the planted values found in it, under every root (files or folders)."""
    hits: dict[str, list[str]] = {}
    wanted = needles()
    for root in roots:
        files = [root] if root.is_file() else [p for p in root.rglob("*") if p.is_file()]
        for path in files:
            data = _contents(path)
            found = [n.decode() for n in wanted if n in data]
            if found:
                hits[str(path)] = found
    return hits


def scan_text(text: str) -> list[str]:
    """The planted values in a text (an API response, a log)."""
    return [n.decode() for n in needles() if n in text.encode()]


def holds(roots: list[Path], wanted: list[str]) -> dict[str, list[str]]:
    """File -> which of `wanted` (ticket ids, ticket texts) it holds, under every root (files or
    folders; Parquet and joblib decoded): to show that erased tickets were there and are gone."""
    hits: dict[str, list[str]] = {}
    for root in roots:
        files = [root] if root.is_file() else [p for p in root.rglob("*") if p.is_file()]
        for path in files:
            data = _contents(path)
            found = [w for w in wanted if w.encode() in data]
            if found:
                hits[str(path)] = found
    return hits
