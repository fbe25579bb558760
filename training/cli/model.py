"""triage CLI: model commands."""
