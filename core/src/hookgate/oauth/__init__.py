"""OAuth connections: the authorization-code flow (authlib), tokens at rest, provider clients.

- :mod:`hookgate.oauth.flow`: authorize URL out, callback in.
- :mod:`hookgate.oauth.state`: signed, single-use, short-lived ``state``.
- :mod:`hookgate.oauth.tokens`: encrypted token sets, refresh serialised per connection.
- :mod:`hookgate.oauth.http`: the httpx clients hooks get (token, retries, timeouts).
- :mod:`hookgate.api.oauth` (the HTTP routes, with the admin API): ``/oauth/{provider}/...``.

The rules (who may connect, what a connection shows) are in
:mod:`hookgate.services.connections`.
"""

from __future__ import annotations

from hookgate.oauth.errors import AuthorizationFailed, NeedsReauth, OAuthNotConfigured, StateError
from hookgate.oauth.manager import OAuthManager, oauth_for

__all__ = [
    "AuthorizationFailed",
    "NeedsReauth",
    "OAuthManager",
    "OAuthNotConfigured",
    "StateError",
    "oauth_for",
]
