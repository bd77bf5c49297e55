"""hookgate's version, read once from the installed distribution.

A leaf module: the CLI, the admin API, the User-Agent of outgoing requests and
``hookgate.__version__`` all import it, so none of them needs the package
``__init__`` (which may still be loading when they run).
"""

from __future__ import annotations

from importlib import metadata

try:
    __version__ = metadata.version("hookgate-core")
except metadata.PackageNotFoundError:  # running from a source tree without install
    __version__ = "0.0.0"

#: What hookgate sends as ``User-Agent`` to sinks, providers and model backends.
USER_AGENT = f"hookgate/{__version__}"

__all__ = ["USER_AGENT", "__version__"]
