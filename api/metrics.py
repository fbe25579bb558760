"""Prometheus metrics on a per-app registry (nothing global, so tests can build many apps)."""

from __future__ import annotations

from collections.abc import Callable

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest

from triage.prediction import TriageResult

_BUCKETS = (0.002, 0.005, 0.01, 0.015, 0.025, 0.04, 0.06, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


class Metrics:
    """Request counts and latency by route and status, predictions, feedback, model, queue depth."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        r = self.registry
        self.requests = Counter(
            "triage_http_requests", "HTTP requests", ["route", "method", "status"], registry=r
        )
        self.latency = Histogram(
            "triage_http_request_seconds",
            "Request latency",
            ["route"],
            buckets=_BUCKETS,
            registry=r,
        )
        self.predictions = Counter(
            "triage_predictions",
            "Predictions by target, action and label",
            ["target", "action", "label"],
            registry=r,
        )
        self.feedback = Counter("triage_feedback", "Feedback by outcome", ["outcome"], registry=r)
        self.model = Gauge("triage_model_info", "Loaded model version (1)", ["version"], registry=r)
        self.queue_depth = Gauge("triage_queue_depth", "Tickets queued for inference", registry=r)
        self.rejected = Counter("triage_rejected", "Requests refused with 429", registry=r)
        self.incidents_open = Gauge(
            "triage_incidents_open", "Emerging incidents still receiving tickets", registry=r
        )
        self.incident_alerts = Counter(
            "triage_incident_alerts", "Emerging incidents detected", registry=r
        )
        self.webhook_deliveries = Counter(
            "triage_webhook_deliveries",
            "Webhook events by outcome (delivered, failed, dropped)",
            ["outcome"],
            registry=r,
        )

        self.store_write_failures = Counter(
            "triage_store_write_failures",
            "Database writes that failed (after retries), by operation",
            ["operation"],
            registry=r,
        )
        self.store_busy = Counter(
            "triage_store_busy",
            "Requests answered 503 because the database stayed busy, by operation",
            ["operation"],
            registry=r,
        )
        self.ticket_log_delay = Histogram(
            "triage_ticket_log_delay_seconds",
            "Resolved ticket logged by any worker until searchable on this one",
            buckets=(0.1, 0.25, 0.5, 1.0, 1.5, 2.0, 3.0, 5.0, 10.0, 30.0),
            registry=r,
        )
        self.ticket_log_read = Counter(
            "triage_ticket_log_tickets",
            "Resolved tickets the log tail read: `embedded` into this worker's index, or "
            "`already_indexed` (resolved through this worker, indexed when it arrived)",
            ["outcome"],
            registry=r,
        )

    def observe_request(self, route: str, method: str, status: int, seconds: float) -> None:
        self.requests.labels(route, method, str(status)).inc()
        self.latency.labels(route).observe(seconds)

    def count_log_tickets(self, outcome: str, n: int) -> None:
        self.ticket_log_read.labels(outcome).inc(n)

    def count_write_failure(self, operation: str) -> None:
        self.store_write_failures.labels(operation).inc()

    def observe_results(self, results: list[TriageResult]) -> None:
        for result in results:
            for target, p in result.predictions.items():
                self.predictions.labels(target, p.action.value, p.label).inc()

    def set_model(self, version: str) -> None:
        self.model.clear()
        self.model.labels(version).set(1)

    def track_queue(self, depth: Callable[[], float]) -> None:
        self.queue_depth.set_function(depth)

    def track_incidents(self, open_count: Callable[[], float]) -> None:
        self.incidents_open.set_function(open_count)

    def render(self) -> bytes:
        return generate_latest(self.registry)
