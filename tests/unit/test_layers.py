"""Imports run one way: corpus ← retrieval ← bot, and inside retrieval by pipeline stage.

Each package's ``__init__`` docstring says what it may import; this test keeps it so. It reads
the source (no imports run), so it also catches imports inside functions.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
OURS = ("corpus", "retrieval", "bot", "prompts")

# Lower rank may not import higher rank. Same rank may import each other.
RETRIEVAL_RANK = {
    "retrieval.text": 0,
    "retrieval.types": 1,
    "retrieval.settings": 2,
    "retrieval.models": 3,
    "retrieval.index": 4,
    "retrieval.answering": 5,
    "retrieval.digest": 6,
    "retrieval.evaluation": 7,
    "retrieval.service": 8,
    "retrieval": 8,
}
# What each top-level package may import of ours.
ALLOWED_TOP = {
    "corpus": {"corpus"},
    "prompts": {"prompts"},
    "retrieval": {"corpus", "retrieval", "prompts"},
    "bot": {"corpus", "retrieval", "prompts", "bot"},
}


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _imports(path: Path) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    me = _module_name(path)
    package = me if path.name == "__init__.py" else me.rsplit(".", 1)[0]
    out: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out += [(node.lineno, a.name) for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                name = ".".join(base + ([node.module] if node.module else []))
            else:
                name = node.module or ""
            out.append((node.lineno, name))
    return [(line, name) for line, name in out if name.split(".")[0] in OURS]


def _rank(module: str) -> int | None:
    best = None
    for prefix, rank in RETRIEVAL_RANK.items():
        if (module == prefix or module.startswith(prefix + ".")) and (best is None or len(prefix) > len(best[0])):
            best = (prefix, rank)
    return best[1] if best else None


def _sources() -> list[Path]:
    return sorted(p for top in OURS for p in (ROOT / top).rglob("*.py"))


@pytest.mark.parametrize("path", _sources(), ids=lambda p: str(p.relative_to(ROOT)))
def test_imports_follow_the_layers(path: Path) -> None:
    me = _module_name(path)
    top = me.split(".")[0]
    wrong = []
    for line, name in _imports(path):
        if name.split(".")[0] not in ALLOWED_TOP[top]:
            wrong.append(f"line {line}: {me} imports {name}")
        elif top == "retrieval" and name.startswith("retrieval"):
            mine, theirs = _rank(me), _rank(name)
            if mine is not None and theirs is not None and theirs > mine:
                wrong.append(f"line {line}: {me} (stage {mine}) imports {name} (later stage {theirs})")
    assert not wrong, "imports against the direction:\n" + "\n".join(wrong)


def test_the_rule_catches_a_backward_import(tmp_path: Path) -> None:
    """The check itself can fail: a corpus module importing retrieval is reported."""
    bad = ROOT / "corpus" / "_layer_probe.py"
    bad.write_text("from retrieval.types import Answer\n", encoding="utf-8")
    try:
        with pytest.raises(AssertionError, match="corpus._layer_probe imports retrieval.types"):
            test_imports_follow_the_layers(bad)
    finally:
        bad.unlink()
