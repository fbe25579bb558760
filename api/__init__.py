"""api: the FastAPI service (scores tickets, serves agents, takes feedback)."""
