"""Webhook registration as a reconcile loop (see :mod:`hookgate.registration.reconcile`).

The rules around it (when it runs, what a failure leaves behind, the status a
source shows) are in :mod:`hookgate.services.registration`.
"""

from __future__ import annotations

from hookgate.registration.reconcile import Outcome, Reconciler

__all__ = ["Outcome", "Reconciler"]
