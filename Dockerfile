# newsbot in a container: `docker compose up` runs two of these behind nginx (see README,
# "Deploying"). The image holds only the installed package; configuration comes from the
# environment, the database from NEWSBOT_DB (a PostgreSQL URL here).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /src
COPY pyproject.toml README.md ./
COPY bot ./bot
COPY handlers ./handlers
COPY db ./db
RUN pip install . \
    && useradd --system --uid 10001 --create-home --home-dir /home/newsbot newsbot \
    && rm -rf /src

# Never root: the bot needs no privilege, and its port is above 1024.
USER newsbot
WORKDIR /home/newsbot
# The bot's HTTP server (webhook, /healthz, /metrics); NEWSBOT_LISTEN=0.0.0.0:8080 in compose.
EXPOSE 8080
# SIGTERM lets the sends under way finish and writes their outcomes (a few seconds).
STOPSIGNAL SIGTERM
CMD ["newsbot", "run"]
