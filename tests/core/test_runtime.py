"""The runtime's process-level helpers."""

from __future__ import annotations

import gc

from hookgate.runtime import freeze_startup_heap


def test_the_startup_heap_is_frozen_out_of_the_collectors_view() -> None:
    try:
        freeze_startup_heap()
        assert gc.get_freeze_count() > 10_000  # hookgate, SQLAlchemy, pydantic... all of it
    finally:
        gc.unfreeze()
