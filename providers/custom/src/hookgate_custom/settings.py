"""The per-source settings of a custom source."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class CustomSettings(BaseModel):
    """How a custom source's sender signs and names its deliveries."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    signature_header: str = Field(
        default="X-Signature",
        min_length=1,
        pattern=r"^[A-Za-z0-9-]+$",
        description="Header carrying the signature, e.g. X-Hub-Signature-256.",
    )
    algorithm: Literal["sha1", "sha256", "sha512"] = Field(
        default="sha256", description="HMAC hash algorithm."
    )
    event_type_header: str | None = Field(
        default=None, description="Header naming the event type, e.g. X-Event-Type."
    )
    delivery_id_header: str | None = Field(
        default=None, description="Header carrying a delivery id that redeliveries keep."
    )
