"""The feedback store: predictions, agent feedback, resolved tickets and API keys in SQL.

Rooms: `tables` (SQLAlchemy tables), `engine` (URL and connection set-up), `migrate` (the Alembic
migrations in `migrations/`, the one way a schema is created or upgraded), `records` (what is
stored), `protocol` (`FeedbackStore`), `sql` (`SqlFeedbackStore`, `open_store`), `retry`
(concurrency errors retried, then `StoreBusyError`), `ticket_log` (resolved tickets in commit
order, which every worker tails), `desired` (the bundle every worker serves), `codec` (tickets
as JSON), `keys` (API keys), `report` (production metrics) and `dataset` (the labelled training
dataset). Import from the room: this package imports nothing, so the CLI does not pay for
Alembic at start.
"""
