"""`newsbot demo` and `newsbot chat`: the real bot against the sandbox, no token, no network."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import re
import select
import sys
import tempfile
import textwrap
import threading
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

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
_PASTE_GAP = 0.03  # on a terminal, lines arriving closer than this are one pasted message
_PRESS = re.compile(r"\[\s*(\d{1,4})\s*\]")  # "[2]" presses button 2; "2026" is text


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


def _button_text(button: dict[str, Any]) -> str:
    """Return a button as the terminal shows it: a link with its address, a share with its
    inline query."""
    label = str(button.get("text", ""))
    if "url" in button:
        return f"{label} → {button['url']}"
    if "switch_inline_query" in button:
        return f"{label} → @{DEMO_BOT} {button['switch_inline_query']}"
    return label


@dataclass
class _Buttons:
    """Every button shown in `newsbot chat`, numbered for the whole session: any message's
    buttons can be pressed, not only the last one's."""

    shown: dict[int, tuple[SandboxMessage, int]] = field(default_factory=dict)

    def number(self, message: SandboxMessage) -> list[int]:
        """Give the message's buttons the next numbers; return them in row-major order."""
        first = len(self.shown) + 1
        numbers = list(range(first, first + len(message.labels())))
        for index, number in enumerate(numbers):
            self.shown[number] = (message, index)
        return numbers


def render_message(message: SandboxMessage, numbers: list[int] | None = None) -> str:
    """Return a bot message as terminal text: content, then buttons as [label] (as
    "[n] label" with `numbers`, the numbers that press them)."""
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
    rows = (message.reply_markup or {}).get("inline_keyboard") or []
    shown = [_button_text(button) for row in rows for button in row]
    if shown:
        if numbers is not None:
            buttons = "  ".join(f"[{n}] {label}" for n, label in zip(numbers, shown, strict=False))
        else:
            buttons = "  ".join(f"[{label}]" for label in shown)
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
        out(f"newsbot demo — un Telegram local sur {url}, 15 articles d’exemple, sans réseau.")
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
            await _final_progress(stage)
    out("\nFin de la démo. `newsbot chat` vous met à la place d’un lecteur.")
    return 0


async def _final_progress(stage: Stage) -> None:
    """Show the editor's sending progress once it is done, not as it stood mid-way."""
    chat = stage.sandbox.chat(EDITOR_ID)
    mark = chat.mark()  # before looking: an edit made meanwhile is still seen
    progress = next((m for m in reversed(chat.bot_messages()) if "📤" in m.content), None)
    if progress is None:
        return
    with contextlib.suppress(TimeoutError):
        await stage.sandbox.wait_for(
            chat,
            lambda m: m.message_id == progress.message_id and "📤" not in m.content,
            timeout=10.0,
            after=mark,
        )
    stage.out("\n— La rédaction voit l’envoi terminé :")
    stage.out(render_message(progress))


class _Keyboard:
    """What the person types, read by a daemon thread, so that Ctrl-C never waits for Enter.

    On a terminal, lines that arrive together are one message (a pasted /publish); from a
    pipe, each line is one.
    """

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self._loop = loop
        self._messages: asyncio.Queue[str | None] = asyncio.Queue()
        threading.Thread(target=self._read, name="newsbot-chat-keyboard", daemon=True).start()

    async def next(self) -> str | None:
        """Return the next message typed; None at the end of the input."""
        return await self._messages.get()

    def _put(self, text: str | None) -> None:
        self._loop.call_soon_threadsafe(self._messages.put_nowait, text)

    def _read(self) -> None:
        fd = sys.stdin.fileno()
        terminal = os.isatty(fd)
        pending = b""
        while chunk := os.read(fd, 65536):
            if terminal:
                while select.select([fd], [], [], _PASTE_GAP)[0] and (more := os.read(fd, 65536)):
                    chunk += more
                self._put(chunk.decode(errors="replace").rstrip("\r\n"))
                continue
            pending += chunk
            *lines, pending = pending.split(b"\n")
            for line in lines:
                self._put(line.decode(errors="replace").rstrip("\r"))
        if pending:
            self._put(pending.decode(errors="replace"))
        self._put(None)


async def run_chat(*, editor: bool = False) -> int:
    """Let the person at the terminal talk to the bot, as a reader or an editor."""
    async with _stage(print) as stage:
        me = stage.editor if editor else stage.sandbox.add_user("Vous", None, "vous", "fr")
        chat = me.private_chat
        who = "éditeur (/publier, /stats…)" if editor else "lecteur"
        print(
            f"newsbot chat — vous êtes {who}. Tapez un message ou une commande (/aide) ; "
            "collez un\narticle entier d’un coup ; [2] appuie sur le bouton 2 ; /quit pour sortir."
        )
        keyboard = _Keyboard(asyncio.get_running_loop())
        buttons = _Buttons()
        while True:
            print("\nvous › ", end="", flush=True)
            typed = await keyboard.next()
            if typed is None:
                break
            typed = typed.strip()
            if typed in {"/quit", "/exit"}:
                break
            if not typed:
                continue
            mark = chat.mark()
            try:
                if (press := _PRESS.fullmatch(typed)) is not None:
                    if (shown := buttons.shown.get(int(press[1]))) is None:
                        print(f"Pas de bouton {press[1]}.")
                        continue
                    message, index = shown
                    if _opens_link(message, index):
                        continue
                    await me.press(message, index)
                else:
                    await me.send(typed)
            except (LookupError, ValueError) as error:  # a message gone meanwhile
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
                    print(render_message(message, buttons.number(message)))
    return 0


def _opens_link(message: SandboxMessage, index: int) -> bool:
    """Say where a link or share button leads (nothing to press here); return whether it was
    one."""
    rows = (message.reply_markup or {}).get("inline_keyboard") or []
    button = [b for row in rows for b in row][index]
    if "callback_data" in button:
        return False
    print(f"Ce bouton ouvre {_button_text(button).split(' → ', 1)[-1]} dans Telegram.")
    return True


def main_demo() -> int:
    """Run the demo from the command line."""
    setup_logging(logging.WARNING, DEMO_TOKEN, tracebacks=False)
    try:
        return asyncio.run(run_demo(lambda text: print(text, flush=True)))
    except BrokenPipeError:
        # `newsbot demo | head -3`: the reader has gone, which is no error. Point stdout at
        # nothing, so that the interpreter's last flush does not fail again.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
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
