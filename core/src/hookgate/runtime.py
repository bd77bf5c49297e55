"""The :class:`Runtime`: one hookgate installation's settings and plugins.

Everything that would otherwise be global lives on a runtime, so several can
coexist in one process (tests, embedding services).
"""

from __future__ import annotations

from hookgate.config import Settings, load_settings
from hookgate.plugins import PluginManager


class Runtime:
    """Settings plus the plugin manager built from them.

    :param settings: defaults to :func:`hookgate.config.load_settings`.
    :param plugins: a ready plugin manager (tests, embedding services);
        defaults to loading the installed providers selected by
        ``HOOKGATE_PROVIDERS``.
    """

    def __init__(
        self, settings: Settings | None = None, *, plugins: PluginManager | None = None
    ) -> None:
        self.settings = settings if settings is not None else load_settings()
        self.plugins = (
            plugins if plugins is not None else PluginManager(self.settings.provider_selection)
        )
