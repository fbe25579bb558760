"""triage: ML-assisted IT helpdesk ticket triage (core library)."""

__version__ = "0.1.0"
