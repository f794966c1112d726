"""Settings: every variable, valid and invalid, .env precedence, the token kept secret."""

from __future__ import annotations

import asyncio
import re
import subprocess
import sys
from pathlib import Path

import pytest

from bot.config import ConfigError, Secret, load_settings
from bot.sandbox import Sandbox
from tests.conftest import BOT_TOKEN, free_port

TOKEN = "123456789:AAEhBOweik6ad9r_QoMqHWJrk3uDgM-Nj0E"


def test_defaults_when_nothing_is_set() -> None:
    settings = load_settings({}, env_file=None)
    assert settings.token == ""
    assert settings.api_url == "https://api.telegram.org/bot"
    assert settings.db_path == Path("newsbot.sqlite3")
    assert settings.admins == frozenset()
    assert settings.timezone == "Africa/Bamako"
    assert settings.send_rate == 30.0
    assert settings.paid_broadcast is False
    assert settings.channel is None
    assert settings.feeds_private is False


def test_every_variable_is_read() -> None:
    settings = load_settings(
        {
            "TELEGRAM_BOT_TOKEN": TOKEN,
            "TELEGRAM_API_URL": "http://127.0.0.1:8081/bot",
            "NEWSBOT_DB": "/tmp/x.sqlite3",
            "NEWSBOT_ADMINS": " 42, 7 ,,1000000000001",
            "NEWSBOT_TIMEZONE": "Europe/Paris",
            "NEWSBOT_SEND_RATE": "12.5",
            "NEWSBOT_PAID_BROADCAST": "yes",
            "NEWSBOT_CHANNEL": "@lejournal",
            "NEWSBOT_FEEDS_PRIVATE": "yes",
        },
        env_file=None,
    )
    assert settings.token == TOKEN
    assert settings.api_url == "http://127.0.0.1:8081/bot"
    assert settings.db_path == Path("/tmp/x.sqlite3")
    assert settings.admins == {42, 7, 1000000000001}
    assert settings.tzinfo.key == "Europe/Paris"
    assert settings.send_rate == 12.5
    assert settings.paid_broadcast is True
    assert settings.channel == "@lejournal"
    assert settings.feeds_private is True


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("TELEGRAM_BOT_TOKEN", "not-a-token"),
        ("TELEGRAM_BOT_TOKEN", "123456:short"),
        ("TELEGRAM_API_URL", "ftp://example.org/bot"),
        ("NEWSBOT_ADMINS", "abc"),
        ("NEWSBOT_ADMINS", "12,-5"),
        ("NEWSBOT_TIMEZONE", "Mars/Olympus"),
        ("NEWSBOT_TIMEZONE", "../etc/passwd"),
        ("NEWSBOT_SEND_RATE", "fast"),
        ("NEWSBOT_SEND_RATE", "0"),
        ("NEWSBOT_PAID_BROADCAST", "maybe"),
        ("NEWSBOT_CHANNEL", "lejournal"),
        ("NEWSBOT_FEEDS_PRIVATE", "loopback"),
        ("NEWSBOT_WEBHOOK_URL", "bot.example.org/telegram"),
        ("NEWSBOT_WEBHOOK_URL", "https://bot.example.org/telegram?token=1"),
        ("NEWSBOT_WEBHOOK_SECRET", "has:colon"),
        ("NEWSBOT_WEBHOOK_SECRET", "x" * 257),
        ("NEWSBOT_LISTEN", "8080"),
        ("NEWSBOT_LISTEN", "127.0.0.1:99999"),
        ("NEWSBOT_LISTEN", "127.0.0.1:http"),
    ],
)
def test_bad_value_names_its_variable(variable: str, value: str) -> None:
    with pytest.raises(ConfigError) as caught:
        load_settings({variable: value}, env_file=None)
    assert caught.value.variable == variable
    assert str(caught.value).startswith(f"{variable}: ")


def test_environment_wins_over_env_file(tmp_path: Path) -> None:
    env_file = tmp_path / ".env"
    env_file.write_text(
        f"TELEGRAM_BOT_TOKEN={TOKEN}\nNEWSBOT_TIMEZONE=Europe/Paris\n# comment\n"
        "NEWSBOT_ADMINS='1,2'\n"
    )
    settings = load_settings({"NEWSBOT_TIMEZONE": "UTC"}, env_file=env_file)
    assert settings.token == TOKEN  # from the file
    assert settings.admins == {1, 2}  # quoted in the file
    assert settings.timezone == "UTC"  # the environment wins


def test_env_file_in_working_directory_is_read(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("NEWSBOT_SEND_RATE=3\n")
    assert load_settings({}).send_rate == 3.0


def test_token_never_shows_in_repr_or_errors() -> None:
    settings = load_settings({"TELEGRAM_BOT_TOKEN": TOKEN}, env_file=None)
    assert TOKEN not in repr(settings)
    assert repr(Secret(TOKEN)) == "Secret('***')"
    bad = TOKEN[:-30] + "!" * 30
    with pytest.raises(ConfigError) as caught:
        load_settings({"TELEGRAM_BOT_TOKEN": bad}, env_file=None)
    assert bad not in str(caught.value)


def _newsbot(tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot", "run"],
        cwd=tmp_path,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(Path(__file__).parents[1]), **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_run_without_token_says_so_in_one_line_and_exits_2(tmp_path: Path) -> None:
    result = _newsbot(tmp_path)
    assert result.returncode == 2
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert "TELEGRAM_BOT_TOKEN" in lines[0]
    assert "Traceback" not in result.stderr


def test_run_with_bad_admins_names_the_variable(tmp_path: Path) -> None:
    result = _newsbot(tmp_path, TELEGRAM_BOT_TOKEN=TOKEN, NEWSBOT_ADMINS="abc")
    assert result.returncode == 2
    assert "NEWSBOT_ADMINS" in result.stderr
    assert TOKEN not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_run_with_bad_feeds_private_names_the_variable(tmp_path: Path) -> None:
    result = _newsbot(tmp_path, TELEGRAM_BOT_TOKEN=TOKEN, NEWSBOT_FEEDS_PRIVATE="maybe")
    assert result.returncode == 2
    assert "NEWSBOT_FEEDS_PRIVATE" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.stderr


def test_webhook_settings_and_their_defaults() -> None:
    polling = load_settings({"TELEGRAM_BOT_TOKEN": TOKEN}, env_file=None)
    assert polling.webhook_url is None and polling.listen_on is None
    webhook = load_settings(
        {"TELEGRAM_BOT_TOKEN": TOKEN, "NEWSBOT_WEBHOOK_URL": "https://bot.example.org/telegram"},
        env_file=None,
    )
    assert webhook.webhook_url == "https://bot.example.org/telegram"
    assert webhook.listen_on == ("127.0.0.1", 8080)
    # Derived from the token: every instance agrees, Telegram accepts it, it is no token.
    secret = webhook.webhook_secret
    assert secret == polling.webhook_secret
    assert re.fullmatch(r"[A-Za-z0-9_-]{1,256}", secret) and TOKEN not in secret
    other = load_settings({"TELEGRAM_BOT_TOKEN": TOKEN[:-1] + "x"}, env_file=None)
    assert other.webhook_secret != secret
    assert repr(secret) == "Secret('***')"
    chosen = load_settings(
        {
            "TELEGRAM_BOT_TOKEN": TOKEN,
            "NEWSBOT_WEBHOOK_SECRET": "Mon-secret_2024",
            "NEWSBOT_LISTEN": "[::1]:8443",
        },
        env_file=None,
    )
    assert chosen.webhook_secret == "Mon-secret_2024"
    assert chosen.listen_on == ("::1", 8443)  # served in polling mode too
    assert load_settings({"NEWSBOT_LISTEN": ":9000"}, env_file=None).listen == ("0.0.0.0", 9000)


def test_run_with_a_bad_webhook_secret_exits_2_without_echoing_it(tmp_path: Path) -> None:
    result = _newsbot(tmp_path, TELEGRAM_BOT_TOKEN=TOKEN, NEWSBOT_WEBHOOK_SECRET="secret:42")
    assert result.returncode == 2
    assert "NEWSBOT_WEBHOOK_SECRET" in result.stderr and "secret:42" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.stderr


# --- start-up problems, each one line, as a new user meets them ------------------------


async def _newsbot_against(
    sandbox: Sandbox, tmp_path: Path, *args: str, **env: str
) -> tuple[int, str]:
    """Run `newsbot run` against the in-process sandbox; return its exit code and stderr."""
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "run",
        *args,
        cwd=tmp_path,
        env={
            "PATH": "/usr/bin:/bin",
            "PYTHONPATH": str(Path(__file__).parents[1]),
            "TELEGRAM_BOT_TOKEN": BOT_TOKEN,
            "TELEGRAM_API_URL": sandbox.base_url,
            **env,
        },
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE,
    )
    _, stderr = await asyncio.wait_for(process.communicate(), 60)
    assert process.returncode is not None
    return process.returncode, stderr.decode()


def _problem(stderr: str) -> str:
    """Return the one `newsbot:` line of a failed start, checking there is nothing worse."""
    assert "Traceback" not in stderr and "Unclosed" not in stderr, stderr
    lines = [line for line in stderr.splitlines() if line.startswith("newsbot: ")]
    assert len(lines) == 1, stderr
    return lines[0]


async def test_a_database_it_cannot_open_is_one_line(sandbox: Sandbox, tmp_path: Path) -> None:
    code, stderr = await _newsbot_against(
        sandbox, tmp_path, NEWSBOT_DB="/nonexistent/dir/x.sqlite3"
    )
    assert code == 1
    line = _problem(stderr)
    assert "cannot open the database /nonexistent/dir/x.sqlite3" in line and "NEWSBOT_DB" in line


async def test_a_token_telegram_refuses_is_one_line(sandbox: Sandbox, tmp_path: Path) -> None:
    code, stderr = await _newsbot_against(
        sandbox, tmp_path, TELEGRAM_BOT_TOKEN="7000000099:AAH-refused-token-for-tests-only_0123"
    )
    assert code == 1
    assert "Telegram refused the token in TELEGRAM_BOT_TOKEN" in _problem(stderr)
    assert "7000000099:AAH" not in stderr
    assert len(stderr.strip().splitlines()) == 1


async def test_telegram_unreachable_is_said_once_then_one_line(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    code, stderr = await _newsbot_against(
        sandbox, tmp_path, "--startup-wait", "4", TELEGRAM_API_URL="http://127.0.0.1:9/bot"
    )
    assert code == 1
    assert "cannot reach Telegram at http://127.0.0.1:9" in _problem(stderr)
    # Several tries within the 4 s, but one warning saying so.
    assert stderr.count("Telegram is unreachable") == 1, stderr


async def test_a_webhook_telegram_refuses_is_one_line(sandbox: Sandbox, tmp_path: Path) -> None:
    code, stderr = await _newsbot_against(
        sandbox,
        tmp_path,
        NEWSBOT_WEBHOOK_URL="http://bot.example.org/hook",
        NEWSBOT_LISTEN=f"127.0.0.1:{free_port()}",
    )
    assert code == 1
    line = _problem(stderr)
    assert "Telegram refused the webhook NEWSBOT_WEBHOOK_URL=http://bot.example.org/hook" in line
    assert sandbox.stats.requests["deleteWebhook"] == 0
