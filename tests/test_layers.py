"""The flow the tree promises: adapters -> bots -> knowledge <- indexer. Adapters convert and render; they
never reach into the state store (what they render comes with the Reply / Notice)."""

from __future__ import annotations

import ast
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def _modules(folder: str) -> list[tuple[Path, ast.Module]]:
    return [(p, ast.parse(p.read_text(encoding="utf-8"))) for p in sorted((REPO / folder).rglob("*.py"))]


def _imports(tree: ast.Module) -> set[str]:
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return found


def test_adapters_never_touch_the_state_store() -> None:
    for path, tree in _modules("adapters"):
        assert not any(m.startswith("peerbot.bots.state") for m in _imports(tree)), path.name
        stores = [n.lineno for n in ast.walk(tree) if isinstance(n, ast.Attribute) and n.attr == "store"]
        assert not stores, f"{path.name} reads the store at lines {stores}"


def test_the_discord_modules_import_in_one_direction() -> None:
    commands = dict((p.name, t) for p, t in _modules("adapters"))["discord_commands.py"]
    assert "peerbot.adapters.discord_client" not in _imports(commands)


def test_knowledge_imports_nothing_above_it() -> None:
    for path, tree in _modules("knowledge"):
        above = [m for m in _imports(tree) if m.startswith(("peerbot.bots", "peerbot.adapters", "peerbot.indexer"))]
        assert not above, f"{path.name} imports {above}"


def test_platform_words_live_next_to_their_adapter() -> None:
    from peerbot.bots import messages

    platform = [name for name in vars(messages) if name.startswith(("SLACK_", "DISCORD_"))]
    assert not platform, f"bots/messages.py holds platform-only text: {platform}"


def test_the_core_never_imports_an_adapter_or_a_chat_sdk() -> None:
    chat_sdks = ("slack_bolt", "slack_sdk", "discord")
    for folder in ("bots", "knowledge", "indexer"):
        for path, tree in _modules(folder):
            wrong = [m for m in _imports(tree) if m.startswith(("peerbot.adapters", *chat_sdks))]
            assert not wrong, f"{folder}/{path.relative_to(REPO / folder)} imports {wrong}"
