"""`newsbot demo` and `newsbot chat`: the real bot against the sandbox, no token, no network."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sys
import tempfile
import textwrap
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import Path

from bot.app import build_application, running
from bot.config import Secret, Settings
from bot.context import NewsbotApplication
from bot.logs import setup_logging
from bot.samples import load_samples
from bot.sandbox import Sandbox, SandboxChat, SandboxMessage, SandboxUser

__all__ = ["run_chat", "run_demo"]

DEMO_TOKEN = "7000000002:AAH-demo-token-not-a-real-one-000000"
DEMO_BOT = "journal_demo_bot"
EDITOR_ID = 5_000_000_042
_QUIET = 0.6  # seconds without a new bot message that end a reply


@dataclass
class Stage:
    """The sandbox, the running bot and a printer for what happens in chats."""

    sandbox: Sandbox
    app: NewsbotApplication
    editor: SandboxUser
    out: Callable[[str], None]

    async def say(self, user: SandboxUser, text: str, *, expect: int = 1) -> list[SandboxMessage]:
        """Send `text` as `user`, print it and the bot's replies; return the replies."""
        chat = user.private_chat
        self.out(_line(user.first_name, text))
        mark = chat.mark()
        await user.send(text)
        return await self.show(chat, mark, expect)

    async def press(self, user: SandboxUser, message: SandboxMessage, label: str) -> None:
        """Press a button under a bot message, print it and what follows."""
        chat = user.private_chat
        self.out(_line(user.first_name, f"[{label}]"))
        mark = chat.mark()
        await user.press(message, label)
        await self.show(chat, mark, 1)

    async def show(self, chat: SandboxChat, mark: int, expect: int) -> list[SandboxMessage]:
        """Print the bot's messages in `chat` since `mark`, waiting until it falls quiet."""
        seen: list[SandboxMessage] = []
        with contextlib.suppress(TimeoutError):
            seen = await self.sandbox.wait_for(chat, timeout=10.0, count=expect, after=mark)
            while True:
                more = await self.sandbox.wait_for(
                    chat, timeout=_QUIET, count=len(seen) + 1, after=mark
                )
                seen = more
        for message in _latest_versions(seen):
            self.out(render_message(message))
        return _latest_versions(seen)


def _latest_versions(messages: list[SandboxMessage]) -> list[SandboxMessage]:
    """Keep one entry per message (an edit shows up as the same message again)."""
    by_id: dict[int, SandboxMessage] = {}
    for message in messages:
        by_id[message.message_id] = message
    return list(by_id.values())


def _line(who: str, text: str) -> str:
    return f"\n{who} › {text}"


def render_message(message: SandboxMessage, numbered: bool = False) -> str:
    """Return a bot message as terminal text: content, then buttons as [label]."""
    head = "newsbot › "
    pad = " " * len(head)
    body = message.content.strip() or "(photo)"
    if message.photo:
        body = f"🖼  {body}"
    if message.deleted:
        body = f"(message supprimé) {body}"
    elif message.edited:
        body = f"(modifié) {body}"
    lines = []
    for paragraph in body.split("\n"):
        lines += textwrap.wrap(paragraph, 88) or [""]
    text = head + f"\n{pad}".join(lines)
    labels = message.labels()
    if labels:
        if numbered:
            buttons = "  ".join(f"{n}[{label}]" for n, label in enumerate(labels, 1))
        else:
            buttons = "  ".join(f"[{label}]" for label in labels)
        text += "\n" + pad + buttons
    return text


@contextlib.asynccontextmanager
async def _stage(out: Callable[[str], None]) -> AsyncIterator[Stage]:
    with tempfile.TemporaryDirectory(prefix="newsbot-demo-") as folder:
        async with Sandbox(token=DEMO_TOKEN, bot_username=DEMO_BOT, control=False) as sandbox:
            editor = sandbox.add_user("Mariam", "Coulibaly", "redaction", "fr", user_id=EDITOR_ID)
            settings = Settings(
                token=Secret(DEMO_TOKEN),
                api_url=sandbox.base_url,
                db_path=Path(folder) / "demo.sqlite3",
                admins=frozenset({EDITOR_ID}),
            )
            application = build_application(settings)
            async with running(application, poll_timeout=1):
                await load_samples(application.bot_data.publisher)
                yield Stage(sandbox, application, editor, out)


async def run_demo(out: Callable[[str], None] = print) -> int:
    """Play a short conversation between readers, an editor and the bot; return 0."""
    async with _stage(out) as stage:
        url = stage.sandbox.base_url.removesuffix("/bot")
        out(f"newsbot demo — a local Telegram on {url}, 15 sample articles, no network.")
        awa = stage.sandbox.add_user("Awa", "Traoré", "awa_t", "fr")
        john = stage.sandbox.add_user("John", "Smith", "john_s", "en")
        await stage.say(awa, "/start")
        await stage.say(awa, "/latest 3")
        await stage.say(awa, "/author diakite")
        await stage.say(awa, "/search coton")
        await stage.say(awa, "/subscribe Mali")
        await stage.say(john, "/start")
        await stage.say(john, "/subscribe sport")
        await stage.say(
            stage.editor,
            "/publish\n"
            "#Mali : Kayes : Une nouvelle centrale solaire alimente 20 000 foyers\n"
            "Par Seydou KONÉ\n"
            "Mise en service samedi, la centrale de Kayes injecte 15 mégawatts dans le "
            "réseau régional et réduit les délestages du soir.\n\n"
            "Le chantier a duré dix-huit mois et employé près de 300 ouvriers de la région.",
            expect=2,
        )
        publish = next((m for m in stage.sandbox.chat(EDITOR_ID).bot_messages()
                        if "Publier" in m.labels()), None)  # fmt: skip
        if publish is not None:
            mark = awa.private_chat.mark()
            await stage.press(stage.editor, publish, "Publier")
            out("\n— Awa, abonnée à #Mali, reçoit l’alerte :")
            await stage.show(awa.private_chat, mark, 1)
    out("\nFin de la démo. `newsbot chat` vous met à la place d’un lecteur.")
    return 0


async def run_chat(*, editor: bool = False) -> int:
    """Let the person at the terminal talk to the bot, as a reader or an editor."""
    async with _stage(print) as stage:
        me = stage.editor if editor else stage.sandbox.add_user("Vous", None, "vous", "fr")
        chat = me.private_chat
        who = "éditeur (/publish, /stats…)" if editor else "lecteur"
        print(
            f"newsbot chat — vous êtes {who}. Tapez un message ou une commande (/help),\n"
            "un numéro pour appuyer sur un bouton du dernier message, /quit pour sortir."
        )
        loop = asyncio.get_running_loop()
        last_with_buttons: SandboxMessage | None = None
        while True:
            try:
                typed = await loop.run_in_executor(None, input, "\nvous › ")
            except EOFError:
                break
            typed = typed.strip()
            if typed in {"/quit", "/exit"}:
                break
            if not typed:
                continue
            mark = chat.mark()
            try:
                if typed.isdigit() and last_with_buttons is not None:
                    labels = last_with_buttons.labels()
                    index = int(typed) - 1
                    if not 0 <= index < len(labels):
                        print(f"Pas de bouton {typed}.")
                        continue
                    await me.press(last_with_buttons, index)
                else:
                    await me.send(typed)
            except (LookupError, ValueError) as error:  # a link button, a message gone
                print(f"Impossible : {error}")
                continue
            with contextlib.suppress(TimeoutError):
                seen = await stage.sandbox.wait_for(chat, timeout=5.0, after=mark)
                with contextlib.suppress(TimeoutError):
                    while True:
                        seen = await stage.sandbox.wait_for(
                            chat, timeout=_QUIET, count=len(seen) + 1, after=mark
                        )
                for message in _latest_versions(seen):
                    print(render_message(message, numbered=True))
                    if message.labels():
                        last_with_buttons = message
    return 0


def main_demo() -> int:
    """Run the demo from the command line."""
    setup_logging(logging.WARNING, DEMO_TOKEN, tracebacks=False)
    try:
        return asyncio.run(run_demo(lambda text: print(text, flush=True)))
    except Exception as error:  # a terminal session says what went wrong in one line
        print(f"newsbot demo: {type(error).__name__}: {error}", file=sys.stderr)
        return 1


def main_chat(editor: bool) -> int:
    """Run the interactive chat from the command line."""
    setup_logging(logging.WARNING, DEMO_TOKEN, tracebacks=False)
    try:
        return asyncio.run(run_chat(editor=editor))
    except KeyboardInterrupt:
        print(file=sys.stderr)
        return 0
    except Exception as error:  # a terminal session says what went wrong in one line
        print(f"newsbot chat: {type(error).__name__}: {error}", file=sys.stderr)
        return 1
