"""The deployment files (Dockerfile, docker-compose.yml, deploy/) agree with each other and
with the bot.

Docker does not run where the suite runs, so these read the files: the compose file through
a small reader of the YAML it is written in (maps, lists, scalars; no PyYAML here), nginx's
upstream and locations, the Dockerfile's steps, and the example .env through the bot's own
configuration loader.
"""

from __future__ import annotations

import json
import re
import tomllib
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from dotenv import dotenv_values

from bot.config import load_settings

ROOT = Path(__file__).resolve().parent.parent
BOTS = ("bot1", "bot2")


def _scalar(text: str) -> Any:
    text = text.strip()
    if text.startswith(("[", "{")):
        return json.loads(text)
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "'\"":
        return text[1:-1]
    return text


def read_compose_yaml(text: str) -> Any:
    """Read the block-style YAML subset the compose file uses: maps, lists, scalars."""
    lines = []
    for raw in text.splitlines():
        stripped = raw.split(" #")[0].rstrip() if not raw.lstrip().startswith("#") else ""
        if stripped.strip():
            lines.append((len(stripped) - len(stripped.lstrip()), stripped.strip()))

    def block(start: int, indent: int) -> tuple[Any, int]:
        if lines[start][1].startswith("- "):
            items: list[Any] = []
            i = start
            while i < len(lines) and lines[i][0] == indent and lines[i][1].startswith("- "):
                items.append(_scalar(lines[i][1][2:]))
                i += 1
            return items, i
        mapping: dict[str, Any] = {}
        i = start
        while i < len(lines) and lines[i][0] == indent:
            key, _, rest = lines[i][1].partition(":")
            assert key and not key.startswith("- "), lines[i]
            if rest.strip():
                mapping[key] = _scalar(rest)
                i += 1
            elif i + 1 < len(lines) and lines[i + 1][0] > indent:
                mapping[key], i = block(i + 1, lines[i + 1][0])
            else:
                mapping[key] = None
                i += 1
        return mapping, i

    value, end = block(0, lines[0][0])
    assert end == len(lines), f"unread line: {lines[end]}"
    return value


def compose() -> dict[str, Any]:
    data = read_compose_yaml((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def nginx_conf() -> str:
    text = (ROOT / "deploy" / "nginx.conf").read_text(encoding="utf-8")
    return "\n".join(line.split("#")[0] for line in text.splitlines())


def example_env() -> dict[str, str]:
    values = dotenv_values(ROOT / "deploy" / "env.example")
    return {key: value or "" for key, value in values.items()}


def test_compose_reader_reads_maps_lists_and_scalars() -> None:
    text = 'a:\n  b: "x: y"  # note\n  c:\n    - 1\n    - ["p", "q"]\n# gone\nd:\n'
    assert read_compose_yaml(text) == {"a": {"b": "x: y", "c": ["1", ["p", "q"]]}, "d": None}


def test_compose_runs_two_bots_on_postgres_behind_nginx() -> None:
    services = compose()["services"]
    assert set(services) == {"postgres", *BOTS, "nginx"}
    postgres = services["postgres"]
    assert postgres["image"] == "postgres:15"
    assert "pg_isready" in " ".join(postgres["healthcheck"]["test"])
    assert postgres["volumes"] == ["pgdata:/var/lib/postgresql/data"]
    user = postgres["environment"]["POSTGRES_USER"]
    database = postgres["environment"]["POSTGRES_DB"]
    for name in BOTS:
        bot = services[name]
        assert bot["build"] == "."
        assert bot["env_file"] == ".env"
        # Each bot waits for a database that answers, not merely a started container.
        assert bot["depends_on"] == {"postgres": {"condition": "service_healthy"}}
        url = urlsplit(bot["environment"]["NEWSBOT_DB"])
        assert url.scheme == "postgresql"
        assert (url.username, url.hostname, url.port) == (user, "postgres", 5432)
        assert url.path == f"/{database}"
        assert bot["environment"]["NEWSBOT_LISTEN"] == "0.0.0.0:8080"  # reachable by nginx
        assert "/healthz" in " ".join(bot["healthcheck"]["test"])
        assert bot["restart"] == "unless-stopped"
    assert services["bot1"] == services["bot2"]  # two of the same, nothing special about one
    nginx = services["nginx"]
    assert set(nginx["depends_on"]) == set(BOTS)
    mounted = {volume.split(":")[0]: volume.split(":")[1] for volume in nginx["volumes"]}
    assert mounted["./deploy/nginx.conf"] == "/etc/nginx/conf.d/default.conf"
    assert (ROOT / "deploy" / "nginx.conf").is_file()
    assert set(compose()["volumes"]) == {"pgdata"}


def test_nginx_balances_the_webhook_and_healthz_over_both_bots() -> None:
    conf = nginx_conf()
    assert conf.count("{") == conf.count("}")
    upstream = re.search(r"upstream newsbot \{(.*?)\}", conf, re.S)
    assert upstream is not None
    servers = re.findall(r"^\s*server\s+(\S+?)[\s;]", upstream.group(1), re.M)
    # One upstream entry per bot of the compose file, at the port each listens on.
    listen = compose()["services"]["bot1"]["environment"]["NEWSBOT_LISTEN"].split(":")[1]
    assert servers == [f"{name}:{listen}" for name in BOTS]
    webhook_path = urlsplit(example_env()["NEWSBOT_WEBHOOK_URL"]).path
    locations = dict(re.findall(r"location = (\S+) \{(.*?)\}", conf, re.S))
    assert set(locations) == {webhook_path, "/healthz"}
    for body in locations.values():
        assert "proxy_pass http://newsbot;" in body
    assert "listen 443 ssl;" in conf  # Telegram posts webhooks over HTTPS only


def test_example_env_is_a_configuration_the_bot_accepts() -> None:
    values = example_env()
    settings = load_settings(values, env_file=None)
    assert settings.webhook_url == values["NEWSBOT_WEBHOOK_URL"]
    assert settings.admins
    # compose builds NEWSBOT_DB from this one; the bots get it from compose, not from .env.
    assert values["POSTGRES_PASSWORD"]
    assert "NEWSBOT_DB" not in values


def test_dockerfile_installs_the_package_and_runs_it_unprivileged() -> None:
    steps = [
        line.split(None, 1)
        for line in (ROOT / "Dockerfile").read_text(encoding="utf-8").splitlines()
        if line and not line.startswith((" ", "#"))
    ]
    words = [word for word, _ in steps]
    assert steps[0] == ["FROM", "python:3.11-slim"]
    assert words.count("USER") == 1 and words[-1] == "CMD"
    user = next(rest for word, rest in steps if word == "USER")
    assert user.strip() not in {"root", "0"}
    assert words.index("USER") > max(i for i, word in enumerate(words) if word == "RUN")
    assert json.loads(steps[-1][1]) == ["newsbot", "run"]
    assert any(word == "RUN" and rest.startswith("pip install .") for word, rest in steps)
    copied = {rest.split()[0] for word, rest in steps if word == "COPY"}
    assert all((ROOT / path).exists() for path in copied)
    # Every package pyproject.toml installs is copied into the image.
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    packages = {
        name.rstrip("*") for name in pyproject["tool"]["setuptools"]["packages"]["find"]["include"]
    }
    assert packages <= copied
    ignored = (ROOT / ".dockerignore").read_text(encoding="utf-8").split()
    assert ".env" in ignored  # the token never goes into an image
