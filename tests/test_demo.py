"""`newsbot demo`: the whole product in one short conversation, no token, no network."""

from __future__ import annotations

import os
import select
import signal
import subprocess
import sys
import time
from pathlib import Path


def test_demo_plays_the_conversation_and_exits_0(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "bot", "demo"],
        cwd=tmp_path,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(Path(__file__).parents[1])},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "Traceback" not in out + result.stderr
    assert out.startswith("newsbot demo — un Telegram local sur http://127.0.0.1:")
    steps = [
        "Awa › /start",
        "Awa › /latest 3",
        "Les dernières nouvelles",
        "[Plus anciens ›]",
        "Awa › /author diakite",
        "Les articles d’Ousmane Diakité",
        "Awa › /subscribe Mali",
        "Vous recevrez les nouveaux articles #Mali",
        "John › /start",
        "Welcome",
        "Mariam › /publish",
        "Sera envoyé dans 1 conversation",
        "[Publier]",
        "Mariam › [Publier]",
        "reçoit l’alerte",
        "Kayes : Une nouvelle centrale solaire alimente 20 000 foyers",
        "✅ Envoi terminé",  # the progress as it ends, not a stale "en attente : 1"
        "Fin de la démo.",
    ]
    position = 0
    for step in steps:  # in this order
        found = out.find(step, position)
        assert found >= 0, f"{step!r} missing after position {position}:\n{out}"
        position = found


def test_chat_lets_a_person_type_and_press_buttons(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "bot", "chat"],
        cwd=tmp_path,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(Path(__file__).parents[1])},
        input="/latest 2\n[3]\n/quit\n",  # the third button of /latest 2 is "Plus anciens ›"
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "Les dernières nouvelles" in out
    assert "[3] Plus anciens ›" in out
    assert "(modifié)" in out  # the page turned in place
    assert "Traceback" not in out + result.stderr


def test_demo_piped_into_head_ends_quietly(tmp_path: Path) -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "bot", "demo"],
        cwd=tmp_path,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(Path(__file__).parents[1])},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert process.stdout is not None and process.stderr is not None
    head = [process.stdout.readline() for _ in range(3)]
    process.stdout.close()  # what `| head -3` does once it has its lines
    errors = process.stderr.read().decode()
    process.stderr.close()
    assert process.wait(timeout=120) == 0, errors
    assert head[0].startswith(b"newsbot demo")
    assert "Traceback" not in errors and "BrokenPipe" not in errors


def _chat_on_a_terminal(tmp_path: Path, *args: str) -> tuple[subprocess.Popen[bytes], int]:
    """Start `newsbot chat` on a pseudo-terminal, as a person at a keyboard would."""
    import pty

    leader, follower = pty.openpty()
    process = subprocess.Popen(
        [sys.executable, "-m", "bot", "chat", *args],
        cwd=tmp_path,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(Path(__file__).parents[1])},
        stdin=follower,
        stdout=follower,
        stderr=follower,
    )
    os.close(follower)
    return process, leader


def _read_until(leader: int, wanted: str, seen: bytearray, timeout: float = 60.0) -> str:
    """Read the terminal until `wanted` shows (after what was already seen); return it all."""
    deadline = time.monotonic() + timeout
    start = len(seen)
    while wanted.encode() not in seen[start:]:
        remaining = deadline - time.monotonic()
        assert remaining > 0, f"{wanted!r} never showed:\n{seen.decode(errors='replace')}"
        if select.select([leader], [], [], remaining)[0]:
            seen += os.read(leader, 65536)
    return seen.decode(errors="replace")


def test_chat_takes_a_pasted_article_as_one_message_and_numbers_as_words(tmp_path: Path) -> None:
    process, leader = _chat_on_a_terminal(tmp_path, "--editor")
    seen = bytearray()
    try:
        _read_until(leader, "vous › ", seen)
        pasted = (
            "/publish\n#Mali : Sikasso : La foire régionale ouvre ses portes\n"
            "Par Awa KEITA\nTrois cents exposants sont attendus jusqu’à dimanche.\n"
        )
        os.write(leader, pasted.encode())  # one paste: every line at once
        out = _read_until(leader, "Publier", seen)
        assert "La foire régionale ouvre ses portes" in out
        assert "Par Awa Keita" in out or "Par Awa KEITA" in out
        # A number alone is a message, not a press of button 2 ("Publier").
        os.write(leader, b"2026\n")
        _read_until(leader, "Utilisez les boutons sous l’aperçu", seen)
        assert "Publié (n°" not in seen.decode(errors="replace")
        # Ctrl-C (the terminal's SIGINT) leaves at once, without waiting for Enter.
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=30) == 0
        assert "Traceback" not in seen.decode(errors="replace")
    finally:
        if process.poll() is None:
            process.kill()
        os.close(leader)
