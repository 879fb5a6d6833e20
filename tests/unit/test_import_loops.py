"""No two modules of the program import each other, directly or in a circle (function-level
imports included): a loop hides which module stands on which, and import-linter's layer
contracts cannot see it inside one layer."""
from __future__ import annotations

import grimp


def test_no_module_imports_itself_through_others():
    graph = grimp.build_graph("app")
    loops = []
    for module in sorted(m for m in graph.modules if m.startswith("app.")):
        for imported in graph.find_modules_directly_imported_by(module):
            if not imported.startswith("app.") or imported == module:
                continue
            chain = graph.find_shortest_chain(importer=imported, imported=module)
            if chain:
                loops.append(" → ".join((module, *chain)))
    assert not loops, "import loops:\n" + "\n".join(loops[:20])
