"""No logic repeated between services (issue 20: one owner per fact). A function of one service
whose body has the same shape as another service's — names and constants aside — is a fact or a
rule computed twice: it belongs to the service that owns it (the other takes it from its event)
or in shared/. Entrypoint wiring (one call) is below the size looked at."""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
MIN_NODES = 30  # a body smaller than this is wiring, not logic

# the same few lines, on purpose: a follow-up event before its fact is retried (get the row, or
# raise the service's own "not known yet" so the reliable handler retries)
ALLOWED = {
    frozenset(
        {"services/acceptance/application.py:_known_row", "services/supervision/deadline_rows.py:known"}
    )
}


class _Shape(ast.NodeTransformer):
    def visit_Name(self, node: ast.Name) -> ast.AST:
        return ast.copy_location(ast.Name(id="_", ctx=node.ctx), node)

    def visit_Constant(self, node: ast.Constant) -> ast.AST:
        return ast.copy_location(ast.Constant(value=type(node.value).__name__), node)

    def visit_arg(self, node: ast.arg) -> ast.AST:
        node.arg, node.annotation = "_", None
        return node


def shapes() -> dict[str, list[str]]:
    found: dict[str, list[str]] = defaultdict(list)
    for path in sorted(ROOT.glob("services/*/*.py")):
        rel = path.relative_to(ROOT).as_posix()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                continue
            body = node.body[1:] if ast.get_docstring(node) is not None else node.body
            if sum(1 for stmt in body for _ in ast.walk(stmt)) < MIN_NODES:
                continue
            copy = ast.parse(ast.unparse(ast.Module(body=body, type_ignores=[])))
            found[ast.dump(_Shape().visit(copy), annotate_fields=False)].append(f"{rel}:{node.name}")
    return found


def test_no_function_body_is_repeated_in_another_service():
    repeated = [
        sorted(where)
        for where in shapes().values()
        if len({w.split("/")[1] for w in where}) > 1 and frozenset(where) not in ALLOWED
    ]
    assert repeated == [], f"logic repeated between services: {repeated}"


def test_the_check_finds_a_repetition():
    assert any(frozenset(where) in ALLOWED for where in shapes().values())
