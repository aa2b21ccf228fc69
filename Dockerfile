# Kura in a container: the data directory and KURA_HOME on volumes (see compose.yaml
# and the README's "Self-hosting in containers").
FROM python:3.11-slim-bookworm

# git and git-lfs from Debian: every backup and restore runs them. Versions follow
# the Debian release this image is built on.
# hadolint ignore=DL3008
RUN apt-get update \
    && apt-get install -y --no-install-recommends git git-lfs \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt

COPY . .
RUN groupadd --gid 10001 kura \
    && useradd --create-home --uid 10001 --gid 10001 kura \
    && mkdir -p /app/data /app/.kura \
    && chown 10001:10001 /app/data /app/.kura
USER 10001:10001

# The data directory is usually a volume mounted here: a restore swaps its contents
# (it cannot rename a mount point). KURA_HOME holds the cache, locks and journal.
ENV KURA_DATA_DIR=/app/data \
    KURA_HOME=/app/.kura \
    PYTHONUNBUFFERED=1
VOLUME ["/app/data", "/app/.kura"]
EXPOSE 8501

HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8501/_stcore/health', timeout=4)"]

# SIGTERM lets Kura take its goodbye backup of unsaved changes; give it time to
# (compose.yaml: stop_grace_period).
STOPSIGNAL SIGTERM
CMD ["python", "-m", "streamlit", "run", "app.py", "--server.address=0.0.0.0", "--server.port=8501", "--server.headless=true", "--browser.gatherUsageStats=false"]
