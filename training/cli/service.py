"""triage CLI: service commands."""
