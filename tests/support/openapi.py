"""Twilio's OpenAPI spec (read from ``../shared`` beside the repository) as a validator of
the emulator's responses."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import jsonschema
import pytest

__all__ = ["MESSAGING_SPEC_PATH", "SPEC_PATH", "OpenApi", "load_openapi"]

SPEC_DIR = Path(__file__).resolve().parents[2] / ".." / "shared" / "openapi"
SPEC_PATH = SPEC_DIR / "twilio_api_v2010.json"
MESSAGING_SPEC_PATH = SPEC_DIR / "twilio_messaging_v1.json"
"""``messaging/v1`` (Messaging Services): its paths start at ``/v1`` (the emulator serves
them under ``/messaging``)."""


def load_openapi(path: Path = SPEC_PATH) -> OpenApi:
    """One of Twilio's specs, read from ../shared beside the repo (skips the test where it
    is absent): the 2010 API by default, ``MESSAGING_SPEC_PATH`` for messaging/v1."""
    if not path.is_file():
        pytest.skip(f"Twilio OpenAPI spec not found at {path.resolve()}")
    return OpenApi(json.loads(path.read_text()))


def _nullable(schema: Any) -> Any:
    """OpenAPI 3.0 ``nullable: true`` -> JSON Schema ``type: [t, "null"]`` (recursively)."""
    if isinstance(schema, dict):
        out = {k: _nullable(v) for k, v in schema.items() if k != "nullable"}
        if schema.get("nullable"):
            if "type" in out:
                out["type"] = [out["type"], "null"]
            elif "$ref" in out:
                out = {"anyOf": [{"$ref": out.pop("$ref")}, {"type": "null"}], **out}
            if "enum" in out:
                out["enum"] = [*out["enum"], None]
        return out
    if isinstance(schema, list):
        return [_nullable(x) for x in schema]
    return schema


class OpenApi:
    def __init__(self, spec: dict[str, Any]) -> None:
        self.spec = spec
        self.components = _nullable(spec["components"])
        self.validated: list[tuple[str, str, int]] = []

    def schema_for(self, method: str, template: str, status: int) -> dict[str, Any]:
        op = self.spec["paths"][template][method.lower()]
        content = op["responses"][str(status)]["content"]["application/json"]
        return _nullable(content["schema"])  # type: ignore[no-any-return]

    def validate(self, method: str, template: str, status: int, body: bytes) -> None:
        schema = {**self.schema_for(method, template, status), "components": self.components}
        jsonschema.validate(json.loads(body), schema)
        self.validated.append((method, template, status))

    def call(
        self, http: httpx.Client, method: str, template: str, status: int, path: str, **kw: Any
    ) -> Any:
        """Send the request; assert its ``status``, then: an empty body for 204 (``None``),
        else a JSON body valid for the spec's ``template`` (returned decoded)."""
        resp = http.request(method, path, **kw)
        assert resp.status_code == status, resp.text
        if status == 204:
            assert resp.content == b""
            return None
        assert resp.headers["content-type"].startswith("application/json")
        self.validate(method, template, status, resp.content)
        return resp.json()


VERIFY_SPEC_PATH = SPEC_DIR / "twilio_verify_v2.json"
"""``verify/v2`` (Verify Services, Verifications, VerificationCheck): its paths start at
``/v2`` (the emulator serves them under ``/verify``)."""
__all__ += ["VERIFY_SPEC_PATH"]
