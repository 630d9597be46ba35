"""A small safe arithmetic language for velocity expressions in recipes.

``"rate * (0.7*absorbed_ion + 0.3*absorbed_neutral)"`` is parsed with :mod:`ast` and
evaluated by walking the tree on NumPy arrays; only numbers, the given names, + − × ÷ **,
unary ±, and the functions min, max, sqrt, exp, log, abs are allowed (no ``eval``).
"""
from __future__ import annotations

import ast
from typing import Callable, Iterable, Mapping

import numpy as np

__all__ = ["compile_expression", "FUNCTIONS"]

_BINOPS = {ast.Add: np.add, ast.Sub: np.subtract, ast.Mult: np.multiply,
           ast.Div: np.divide, ast.Pow: np.power}
_UNARY = {ast.USub: np.negative, ast.UAdd: np.positive}


def _reduce(fn):
    def f(*args):
        if len(args) < 2:
            raise ValueError("needs at least two arguments")
        out = args[0]
        for a in args[1:]:
            out = fn(out, a)
        return out
    return f


FUNCTIONS: Mapping[str, tuple[Callable, int | None]] = {
    "min": (_reduce(np.minimum), None), "max": (_reduce(np.maximum), None),
    "sqrt": (np.sqrt, 1), "exp": (np.exp, 1), "log": (np.log, 1), "abs": (np.abs, 1),
}


def _check(node: ast.AST, names: frozenset[str], text: str) -> None:
    if isinstance(node, ast.Expression):
        _check(node.body, names, text)
    elif isinstance(node, ast.BinOp) and type(node.op) in _BINOPS:
        _check(node.left, names, text)
        _check(node.right, names, text)
    elif isinstance(node, ast.UnaryOp) and type(node.op) in _UNARY:
        _check(node.operand, names, text)
    elif isinstance(node, ast.Constant) and type(node.value) in (int, float):
        pass
    elif isinstance(node, ast.Name):
        if node.id not in names:
            raise ValueError(f"unknown name {node.id!r} in {text!r}; allowed: "
                             f"{', '.join(sorted(names))}")
    elif isinstance(node, ast.Call):
        if not isinstance(node.func, ast.Name) or node.func.id not in FUNCTIONS or node.keywords:
            what = node.func.id if isinstance(node.func, ast.Name) else ast.unparse(node.func)
            raise ValueError(f"function {what!r} not allowed in {text!r}; allowed: "
                             f"{', '.join(FUNCTIONS)}")
        arity = FUNCTIONS[node.func.id][1]
        if arity is not None and len(node.args) != arity:
            raise ValueError(f"{node.func.id}() takes {arity} argument(s) in {text!r}")
        for a in node.args:
            _check(a, names, text)
    else:
        raise ValueError(f"{ast.unparse(node)!r} is not allowed in {text!r} (only arithmetic, "
                         f"numbers, names and {', '.join(FUNCTIONS)})")


def _eval(node: ast.AST, env: Mapping[str, np.ndarray]):
    if isinstance(node, ast.Expression):
        return _eval(node.body, env)
    if isinstance(node, ast.BinOp):
        return _BINOPS[type(node.op)](_eval(node.left, env), _eval(node.right, env))
    if isinstance(node, ast.UnaryOp):
        return _UNARY[type(node.op)](_eval(node.operand, env))
    if isinstance(node, ast.Constant):
        assert isinstance(node.value, (int, float))      # _check admits numbers only
        return float(node.value)
    if isinstance(node, ast.Name):
        return env[node.id]
    # the rest _check admits: a call of a named function of FUNCTIONS
    assert isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
    fn = FUNCTIONS[node.func.id][0]
    return fn(*(_eval(a, env) for a in node.args))


def compile_expression(text: str, names: Iterable[str]) -> Callable[[Mapping[str, np.ndarray]], np.ndarray]:
    """Check ``text`` against the allowed grammar and ``names``; return f(env) -> array."""
    if not isinstance(text, str) or not text.strip():
        raise ValueError("empty expression")
    if len(text) > 2000:
        raise ValueError("expression longer than 2000 characters")
    try:
        tree = ast.parse(text.strip(), mode="eval")
    except SyntaxError as exc:
        raise ValueError(f"cannot parse {text!r}: {exc.msg}") from None
    allowed = frozenset(names)
    _check(tree, allowed, text)

    def f(env: Mapping[str, np.ndarray]) -> np.ndarray:
        with np.errstate(all="ignore"):
            return np.asarray(_eval(tree, env), dtype=float)

    f.expression = text  # type: ignore[attr-defined]
    return f
