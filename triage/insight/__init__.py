"""Helpdesk insight: KPIs, peak hours, recurring issues, KB gaps and emerging incidents."""
