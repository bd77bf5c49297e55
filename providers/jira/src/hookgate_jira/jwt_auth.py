"""The bearer JWT Atlassian puts on deliveries of webhooks an OAuth 2.0 app registered.

Atlassian: "Webhooks for OAuth 2.0 apps are secured by bearer authentication.
The token is present in the Authorization header and is signed with the app's
client secret." The algorithm and claims are not documented; receivers that
verify live deliveries use HS256 keyed with the client secret's UTF-8 bytes
(provider-api-facts §3.1). So: HS256 only (``none`` and every other algorithm
refused before any key is tried), the signature checked with each client
secret that is live (current, then the previous one during a rotation), and
``exp``/``nbf``/``iat`` enforced when present with 60 s of leeway. No ``iss``
or ``aud`` is required: Atlassian documents none.

joserfc (the JOSE library authlib builds on) does the cryptography.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from hookgate import Verification
from joserfc import jws, jwt
from joserfc.errors import BadSignatureError, JoseError
from joserfc.jwk import OctKey

ALGORITHM = "HS256"
#: Seconds of clock difference tolerated on exp, nbf and iat.
LEEWAY = 60
#: How long a JWT minted by :func:`mint` (tests, ``hookgate sources sign``) is valid.
MINTED_LIFETIME = 300


def _token(authorization: str | None) -> str | Verification:
    if authorization is None:
        return Verification.fail(
            "missing header Authorization: deliveries of webhooks an OAuth app registered "
            "carry Authorization: Bearer <JWT>"
        )
    scheme, _, token = authorization.strip().partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return Verification.fail(
            f"Authorization uses the {scheme or 'empty'} scheme: expected Bearer <JWT>"
        )
    return token.strip()


def _algorithm_problem(token: str) -> str | None:
    try:
        header = jws.extract_compact(token.encode()).headers()
    except (JoseError, ValueError):
        return "the bearer token is not a JWT (three base64url parts)"
    alg = header.get("alg")
    if alg != ALGORITHM:
        return f"JWT algorithm {alg!r} is refused: Atlassian signs with {ALGORITHM}"
    return None


def verify(authorization: str | None, secrets: Sequence[str], at: datetime) -> Verification:
    """Check ``Authorization: Bearer <JWT>`` against the app's client secrets at ``at``."""
    token = _token(authorization)
    if isinstance(token, Verification):
        return token
    problem = _algorithm_problem(token)
    if problem is not None:
        return Verification.fail(problem)
    if not secrets:
        return Verification.fail(
            "no Jira client secret is configured to verify the JWT: set "
            "HOOKGATE_JIRA_CLIENT_SECRET and restart hookgate"
        )
    claims = _claims(token, secrets)
    if claims is None:
        return Verification.fail("JWT signature mismatch (not signed with the app's secret)")
    try:
        jwt.JWTClaimsRegistry(now=int(at.timestamp()), leeway=LEEWAY).validate(claims)
    except JoseError as exc:
        return Verification.fail(f"JWT refused: {exc.description or exc.error}")
    return Verification.ok()


def _claims(token: str, secrets: Sequence[str]) -> dict[str, Any] | None:
    """The claims of ``token`` if one of ``secrets`` signed it, else ``None``."""
    for secret in secrets:
        try:
            decoded = jwt.decode(token, OctKey.import_key(secret), algorithms=[ALGORITHM])
        except BadSignatureError:
            continue
        except (JoseError, ValueError):
            return None
        return dict(decoded.claims)
    return None


def mint(secret: str, at: datetime, **claims: Any) -> str:
    """A JWT as Atlassian sends it: HS256 with the client secret, valid for a few minutes."""
    issued = int(at.timestamp())
    body = {"iat": issued, "exp": issued + MINTED_LIFETIME, **claims}
    return jwt.encode({"alg": ALGORITHM, "typ": "JWT"}, body, OctKey.import_key(secret))


__all__ = ["ALGORITHM", "LEEWAY", "mint", "verify"]
