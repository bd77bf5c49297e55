"""The limits of an event's identity: the model's column sizes, and what no store can hold."""

from __future__ import annotations

from hookgate.event_limits import (
    CONTENT_TYPE_MAX,
    DELIVERY_ID_MAX,
    EVENT_TYPE_MAX,
    identity_problem,
    text_problem,
)


def test_the_limits_are_the_documented_column_sizes() -> None:
    assert (EVENT_TYPE_MAX, DELIVERY_ID_MAX, CONTENT_TYPE_MAX) == (200, 300, 200)


def test_nul_and_lone_surrogates_are_named_with_their_place() -> None:
    assert text_problem("the event type", "push\x00") == (
        "the event type holds NUL (U+0000) at character 4, which no store can hold"
    )
    assert "a lone surrogate (U+D800) at character 1" in str(text_problem("id", "é\ud800"))
    assert text_problem("id", "ünïcödé 😀 ok") is None


def test_the_first_problem_of_an_identity_is_reported() -> None:
    assert identity_problem("push", "d-1", "application/json") is None
    assert identity_problem("push", None, "application/json", [("header X", "a\x00")]) == (
        "header X holds NUL (U+0000) at character 1, which no store can hold"
    )
    assert "delivery id is 301 characters" in str(identity_problem("t", "x" * 301, "a/json"))
