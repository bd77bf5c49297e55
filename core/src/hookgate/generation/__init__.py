"""Natural-language filter generation: a description in, a checked filter out.

::

    from hookgate.generation import generate_filter

    result = await generate_filter(
        runtime, actor, description="paid invoices over 1000 euros",
        provider="acme", event_type="invoice.paid", source_id=source.id,
    )
    result.filter            # '(and (eq "currency" "EUR") (gt "amount" 1000))'
    result.dry_run.summary   # 'would have matched 3 of the last 50 invoice.paid events'

The generator is whatever plugin implements ``filter_generator``; the
built-in one (:mod:`hookgate.generation.backend`) calls an OpenAI-compatible
API configured by ``HOOKGATE_LLM_*``. ``docs/generation.md`` has the details.
"""

from __future__ import annotations

from hookgate.generation.backend import OpenAICompatibleGenerator
from hookgate.generation.errors import (
    GenerationError,
    GeneratorNotConfigured,
    GeneratorTimeout,
    NoValidFilter,
    UnusableAnswer,
)
from hookgate.generation.generate import (
    MAX_DESCRIPTION,
    MAX_REPAIRS,
    GenerationResult,
    generate_filter,
    generator_for,
)

__all__ = [
    "MAX_DESCRIPTION",
    "MAX_REPAIRS",
    "GenerationError",
    "GenerationResult",
    "GeneratorNotConfigured",
    "GeneratorTimeout",
    "NoValidFilter",
    "OpenAICompatibleGenerator",
    "UnusableAnswer",
    "generate_filter",
    "generator_for",
]
