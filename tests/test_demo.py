"""`newsbot demo`: the whole product in one short conversation, no token, no network."""

from __future__ import annotations

import subprocess
import sys
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
        input="/latest 2\n3\n/quit\n",  # the third button of /latest 2 is "Plus anciens ›"
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "Les dernières nouvelles" in out
    assert "3[Plus anciens ›]" in out
    assert "(modifié)" in out  # the page turned in place
    assert "Traceback" not in out + result.stderr
