"""No button passes its `checked` flag into a handler's optional argument.

Qt calls a slot connected to clicked/triggered/toggled with the bool when the slot can take it:
`export.clicked.connect(self.export_excel)` made `export_excel(path=False)` return at once, so
统计分析 → 导出Excel… did nothing (issue 17). Such handlers are connected through a lambda."""
from __future__ import annotations

import ast
from pathlib import Path

UI = Path(__file__).resolve().parents[2] / "app" / "ui"
BOOL_SIGNALS = {"clicked", "triggered", "toggled"}


def optional_first_argument(tree: ast.AST) -> dict[str, str]:
    """Method name → its first parameter, for methods whose parameters all have defaults."""
    found = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef):
            params = node.args.args[1:]
            if params and len(node.args.defaults) == len(params):
                found[node.name] = params[0].arg
    return found


def risky_connections(source: str) -> list[str]:
    tree = ast.parse(source)
    optional = optional_first_argument(tree)
    risky = []
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                and node.func.attr == "connect" and node.args):
            continue
        signal, slot = node.func.value, node.args[0]
        if (isinstance(signal, ast.Attribute) and signal.attr in BOOL_SIGNALS
                and isinstance(slot, ast.Attribute) and isinstance(slot.value, ast.Name)
                and slot.value.id == "self" and slot.attr in optional):
            risky.append(f"line {node.lineno}: {signal.attr} → {slot.attr}({optional[slot.attr]}=…)")
    return risky


def test_the_check_finds_the_mistake_it_is_for():
    source = ("class P:\n    def __init__(self, b):\n        b.clicked.connect(self.export)\n"
              "        b.clicked.connect(lambda: self.export())\n"
              "    def export(self, path=None):\n        pass\n")
    assert risky_connections(source) == ["line 3: clicked → export(path=…)"]


def test_no_bool_signal_lands_in_an_optional_argument():
    risky = {str(p.relative_to(UI)): found for p in sorted(UI.rglob("*.py"))
             if (found := risky_connections(p.read_text(encoding="utf-8")))}
    assert not risky, risky
