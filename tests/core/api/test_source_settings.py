"""A source's provider settings through the admin API: one ``config`` object, validated by
the provider's own model, changed with a merge, and described by the providers routes."""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from tests.core.api.support import Contract, World, world

pytestmark = pytest.mark.anyio


async def _create(w: World, name: str, config: dict[str, Any]) -> httpx.Response:
    return await w.clients["admin"].post(
        "/sources", json={"provider": "custom", "name": name, "config": config}
    )


async def _deliver(w: World, source_id: str, headers: dict[str, str]) -> int:
    """A delivery signed by hand with sha512 in X-Sig, as a sender configured so would."""
    record = await w.runtime.sources.load(source_id)
    body = json.dumps({"n": datetime.now(UTC).isoformat()}).encode()
    digest = hmac.new(record.secrets[0].secret.encode(), body, hashlib.sha512).hexdigest()
    sent = {"Content-Type": "application/json", **{k: v.format(digest) for k, v in headers.items()}}
    return (await w.served.client.post(record.url, content=body, headers=sent)).status_code


async def test_config_object_is_validated_by_the_providers_model(sqlite_url: str) -> None:
    async with world(sqlite_url) as w:
        contract = Contract()
        created = await _create(w, "s", {"algorithm": "sha512", "signature_header": "X-Sig"})
        assert created.status_code == 201, created.text
        assert created.json()["config"] == {"algorithm": "sha512", "signature_header": "X-Sig"}
        assert await _deliver(w, created.json()["id"], {"X-Sig": "sha512={}"}) == 202

        typo = await _create(w, "t", {"algoritm": "sha512"})
        wrong = await _create(w, "u", {"algorithm": "md5"})
        secret = await _create(w, "v", {"secret": "hunter2hunter2hunter2"})
        flat = await w.clients["admin"].post(
            "/sources", json={"provider": "custom", "name": "w", "signature_header": "X-Sig"}
        )
        for response in (typo, wrong, secret, flat):
            assert response.status_code == 422, response.text
            assert contract.problems("POST", "/sources", response) == []
        error = typo.json()["error"]
        assert "unknown custom setting 'algoritm' (did you mean algorithm?)" in error["message"]
        assert "the custom settings are: preset, signature_format, algorithm" in error["message"]
        assert error["details"]["suggestion"] == "algorithm"
        assert {"algorithm", "signature_header", "tolerance"} <= set(error["details"]["allowed"])
        assert "algorithm: must be one of sha1, sha256, sha512" in wrong.json()["error"]["message"]
        assert "not a provider setting" in secret.json()["error"]["message"]
        assert "hunter2" not in secret.text
        problem = flat.json()["error"]["details"][0]
        assert problem["field"] == "signature_header"
        assert 'provider settings go inside "config"' in problem["message"]
        listed = (await w.clients["admin"].get("/sources")).json()["items"]
        assert [s["name"] for s in listed] == ["s"]


async def test_patch_merges_config_and_null_restores_the_default(sqlite_url: str) -> None:
    async with world(sqlite_url) as w:
        admin = w.clients["admin"]
        created = await _create(w, "s", {"algorithm": "sha512", "signature_header": "X-Sig"})
        source = created.json()
        path = f"/sources/{source['id']}"
        changed = await admin.patch(path, json={"config": {"tolerance": 60}})
        assert changed.status_code == 200, changed.text
        assert changed.json()["config"] == {
            "algorithm": "sha512",
            "signature_header": "X-Sig",
            "tolerance": 60,
        }
        # null: the model's default applies again (X-Signature), and ingest follows at once.
        restored = await admin.patch(path, json={"config": {"signature_header": None}})
        assert restored.json()["config"]["signature_header"] == "X-Signature"
        assert await _deliver(w, source["id"], {"X-Signature": "sha512={}"}) == 202
        assert await _deliver(w, source["id"], {"X-Sig": "sha512={}"}) == 401

        refused = await admin.patch(path, json={"config": {"tolerence": 5}})
        assert refused.status_code == 422
        assert "did you mean tolerance?" in refused.json()["error"]["message"]
        invalid = await admin.patch(path, json={"config": {"tolerance": 0}, "name": "renamed"})
        assert "tolerance: Input should be greater than or equal to 1" in invalid.text
        after = (await admin.get(path)).json()
        assert (after["name"], after["config"]["tolerance"]) == ("s", 60)  # nothing changed
        member = await w.clients["member"].patch(path, json={"config": {"tolerance": 5}})
        assert member.status_code == 403


async def test_providers_show_the_settings_json_schema(sqlite_url: str) -> None:
    async with world(sqlite_url) as w:
        contract = Contract()
        custom = await w.clients["member"].get("/providers/custom")
        listed = await w.clients["member"].get("/providers")
        assert contract.problems("GET", "/providers/{id}", custom) == []
        assert contract.problems("GET", "/providers", listed) == []
        schema = custom.json()["config_schema"]
        assert schema["additionalProperties"] is False
        assert schema["properties"]["algorithm"]["enum"] == ["sha1", "sha256", "sha512"]
        assert "HMAC" in schema["properties"]["algorithm"]["description"]
        rows = {p["name"]: p for p in listed.json()["items"]}
        assert rows["custom"]["config_schema"] == schema
        assert rows["jira"]["config_schema"]["properties"]["include_secondary"]["type"] == "boolean"
        assert rows["github"]["config_schema"] is None  # github takes no source settings
