# syntax=docker/dockerfile:1
# hookgate: every built-in provider, from uv.lock. docs/deploy.md shows how to run it.
#
#   docker build -t hookgate .
#   docker run --rm hookgate --version

ARG PYTHON=3.11

# --- build: resolve nothing, install exactly the lockfile into /opt/hookgate ---------------
FROM python:${PYTHON}-slim AS build
COPY --from=ghcr.io/astral-sh/uv:0.13 /uv /usr/local/bin/uv
ENV UV_COMPILE_BYTECODE=1 \
    UV_LINK_MODE=copy \
    UV_PYTHON_DOWNLOADS=never \
    UV_PROJECT_ENVIRONMENT=/opt/hookgate
WORKDIR /src
# The dependencies first (a layer that changes only with the lockfile), then the workspace.
COPY pyproject.toml uv.lock ./
COPY core/pyproject.toml core/README.md core/
COPY providers/ providers/
RUN --mount=type=cache,target=/root/.cache/uv \
    uv sync --locked --no-dev --all-packages --no-install-workspace
COPY core/ core/
RUN --mount=type=cache,target=/root/.cache/uv \
    uv sync --locked --no-dev --all-packages --no-editable

# --- runtime: the environment only, run by an unprivileged user ------------------------------
FROM python:${PYTHON}-slim
RUN groupadd --system --gid 10001 hookgate \
    && useradd --system --uid 10001 --gid hookgate --home-dir /var/lib/hookgate --create-home hookgate
COPY --from=build /opt/hookgate /opt/hookgate
COPY hookgate.example.toml /etc/hookgate/hookgate.example.toml
ENV PATH=/opt/hookgate/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    HOOKGATE_HOST=0.0.0.0 \
    HOOKGATE_DATABASE_URL=sqlite:////var/lib/hookgate/hookgate.db \
    HOOKGATE_LOG_FORMAT=json
USER hookgate
WORKDIR /var/lib/hookgate
VOLUME ["/var/lib/hookgate"]
EXPOSE 8000
HEALTHCHECK --interval=15s --timeout=5s --start-period=20s \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/readyz', timeout=4)"]
ENTRYPOINT ["hookgate"]
CMD ["serve"]
