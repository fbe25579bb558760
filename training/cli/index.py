"""triage CLI: index commands."""
