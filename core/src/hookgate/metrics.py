"""Prometheus metrics, one registry per runtime (no global state)."""

from __future__ import annotations

from collections.abc import Iterator

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.metrics_core import Metric


class Metrics:
    """The counters and histograms hookgate exports on ``/metrics``."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        r = self.registry
        self.received = Counter(
            "hookgate_events_received", "Webhook requests received.", ["provider"], registry=r
        )
        self.stored = Counter(
            "hookgate_events_stored", "Events stored durably.", ["provider"], registry=r
        )
        self.rejected = Counter(
            "hookgate_events_rejected", "Requests refused, by reason.", ["reason"], registry=r
        )
        self.duplicates = Counter(
            "hookgate_events_duplicate", "Redeliveries of stored events.", registry=r
        )
        self.unverified = Counter(
            "hookgate_events_unverified",
            "Events accepted without a signature (URL secret only).",
            ["provider"],
            registry=r,
        )
        self.runs = Counter("hookgate_runs", "Run outcomes, by status.", ["status"], registry=r)
        self.ingest_seconds = Histogram(
            "hookgate_ingest_seconds",
            "Time from request to answer on the ingest path.",
            buckets=(0.001, 0.0025, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5),
            registry=r,
        )
        self.queue_depth = Gauge(
            "hookgate_queue_depth", "Work waiting, by kind.", ["kind"], registry=r
        )

    def render(self) -> bytes:
        return generate_latest(_WithoutCreated(self.registry))


class _WithoutCreated:
    """The registry without prometheus-client's ``*_created`` samples.

    Each counter and histogram would otherwise export a ``_created`` series
    (the Unix time it was made) next to it: noise that doubles the series count
    and that Prometheus reads as samples of a gauge. prometheus-client's own
    switch (``disable_created_metrics``) is process-wide: an application
    embedding hookgate keeps its own choice.
    """

    def __init__(self, registry: CollectorRegistry) -> None:
        self._registry = registry

    def collect(self) -> Iterator[Metric]:
        for metric in self._registry.collect():
            metric.samples = [s for s in metric.samples if not s.name.endswith("_created")]
            yield metric


class Labelled:
    """``metric.labels(value)``, remembered per value.

    For the ingest path, which would otherwise look up the same child (a
    provider name, a rejection reason: few values) several times per request.
    """

    def __init__(self, metric: Counter) -> None:
        self._metric = metric
        self._children: dict[str, Counter] = {}

    def __call__(self, value: str) -> Counter:
        child = self._children.get(value)
        if child is None:
            child = self._children[value] = self._metric.labels(value)
        return child
