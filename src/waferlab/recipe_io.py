"""Reading recipe files: safe YAML and section validation with clear errors.

Safety limits (each refusal is a :class:`RecipeError` naming the file and the limit):

- the file must be a regular file of at most ``MAX_RECIPE_BYTES`` of UTF-8 text (binary,
  Latin-1, ELF or PNG files, folders, FIFOs and devices are refused by name);
- a key may appear only once in a mapping (YAML's "last one wins" hides typos);
- aliases (``*a``) may not expand the document beyond ``MAX_NODES`` nodes (a "billion
  laughs" alias bomb is refused before it is built);
- an error never echoes a whole input: values are shortened with :func:`short_repr`.
"""
from __future__ import annotations

import stat
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from .errors import RecipeError, from_validation_error, short_repr

__all__ = ["load_yaml", "validate_section", "SpecModel", "MAX_RECIPE_BYTES", "MAX_NODES",
           "short_repr"]

M = TypeVar("M", bound=BaseModel)

#: Largest recipe file read (bytes); a recipe is a few kB.
MAX_RECIPE_BYTES = 4 << 20
#: Largest number of YAML nodes after expanding aliases.
MAX_NODES = 200_000


class SpecModel(BaseModel):
    """Base of every recipe section: frozen, unknown keys refused."""

    model_config = {"extra": "forbid", "frozen": True}


class _Loader(yaml.SafeLoader):
    """SafeLoader that refuses duplicate keys."""

    def construct_mapping(self, node, deep=False):
        seen: dict[Any, Any] = {}
        if isinstance(node, yaml.MappingNode):
            self.flatten_mapping(node)
            for key_node, _ in node.value:
                key = self.construct_object(key_node, deep=True)
                try:
                    hash(key)
                except TypeError:
                    continue                     # the base class reports unhashable keys
                if key in seen:
                    line = key_node.start_mark.line + 1
                    raise RecipeError(f"duplicate key {short_repr(key)} at line {line} (first at "
                                      f"line {seen[key]}); each key may appear once")
                seen[key] = key_node.start_mark.line + 1
        return super().construct_mapping(node, deep=deep)


def _expanded_size(node, limit: int) -> int:
    """Number of nodes of the document with every alias expanded (stops past ``limit``)."""
    memo: dict[int, int] = {}
    active: set[int] = set()

    def size(n) -> int:
        key = id(n)
        if key in memo:
            return memo[key]
        if key in active:                        # a recursive alias: infinite
            return limit + 1
        active.add(key)
        total = 1
        if isinstance(n, yaml.SequenceNode):
            for c in n.value:
                total += size(c)
                if total > limit:
                    break
        elif isinstance(n, yaml.MappingNode):
            for k, v in n.value:
                total += size(k) + size(v)
                if total > limit:
                    break
        active.discard(key)
        memo[key] = total
        return total

    return size(node)


def _read_text(path: Path) -> str:
    shown = short_repr(str(path))
    if "\x00" in str(path) or not str(path):
        raise RecipeError(f"recipe file {shown} is not a valid file name")
    try:
        st = path.stat()
    except FileNotFoundError:
        raise RecipeError(f"recipe file {shown} does not exist") from None
    except OSError as exc:
        raise RecipeError(f"recipe file {shown} cannot be read ({exc.strerror})") from None
    if stat.S_ISDIR(st.st_mode):
        raise RecipeError(f"recipe file {shown} is a folder; give a YAML file")
    if not stat.S_ISREG(st.st_mode):
        raise RecipeError(f"recipe file {shown} is not a regular file (a device, FIFO or "
                          "socket); give a YAML file")
    if st.st_size > MAX_RECIPE_BYTES:
        raise RecipeError(f"recipe file {shown} is {st.st_size} bytes; a recipe may be at most "
                          f"{MAX_RECIPE_BYTES} bytes")
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise RecipeError(f"recipe file {shown} cannot be read ({exc.strerror})") from None
    return _decode(raw, shown)


def _decode(raw: bytes, shown: str) -> str:
    kinds = {b"\x7fELF": "an ELF executable", b"\x89PNG": "a PNG image", b"PK\x03\x04": "a zip "
             "archive", b"%PDF": "a PDF document", b"\x93NUMPY": "a NumPy array"}
    for magic, what in kinds.items():
        if raw.startswith(magic):
            raise RecipeError(f"recipe file {shown} is {what}, not a YAML text file")
    if b"\x00" in raw[:8192]:
        raise RecipeError(f"recipe file {shown} is binary (it holds NUL bytes), not a YAML "
                          "text file")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise RecipeError(f"recipe file {shown} is not UTF-8 text (byte {exc.start}: "
                          f"{raw[exc.start:exc.start + 1]!r}); save it as UTF-8") from None


def load_yaml(source: str | Path) -> dict[str, Any]:
    """Load a recipe file (or YAML text) safely; the top level must be a mapping."""
    path = Path(source) if not isinstance(source, str) or "\n" not in source else None
    if path is not None:
        text = _read_text(path)
        where_from = f"recipe file {short_repr(str(path))}"
    else:
        text = str(source)
        if len(text.encode("utf-8", "surrogatepass")) > MAX_RECIPE_BYTES:
            raise RecipeError(f"the recipe text is longer than {MAX_RECIPE_BYTES} bytes")
        where_from = "the recipe text"
    if not text.strip() or all(not ln.strip() or ln.lstrip().startswith("#")
                               for ln in text.splitlines()):
        raise RecipeError(f"{where_from} is empty; a recipe is a mapping of keys (name, grid, "
                          "structure, steps, ...)")
    try:
        loader = _Loader(text)
        try:
            node = loader.get_single_node()
            if node is None:
                data = None
            else:
                if _expanded_size(node, MAX_NODES) > MAX_NODES:
                    raise RecipeError(f"{where_from} expands (through its aliases) to more than "
                                      f"{MAX_NODES} YAML nodes; write the values out or shorten it")
                data = loader.construct_document(node)
        finally:
            loader.dispose()
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise RecipeError(f"{where_from} is not valid YAML{where}: {short_repr(problem, 120)}") \
            from None
    except RecursionError:
        raise RecipeError(f"{where_from} is nested too deeply") from None
    if not isinstance(data, dict):
        got = "a single value" if data is not None else "nothing"
        if isinstance(data, list):
            got = "a list"
        raise RecipeError(f"{where_from}: a recipe is a mapping of keys (name, grid, "
                          f"structure, steps, ...); it holds {got}")
    return data


def validate_section(model: type[M], data: Any, prefix: str = "") -> M:
    """Validate ``data`` against a pydantic model; errors become a :class:`RecipeError`."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise from_validation_error(exc, prefix) from None
    except RecursionError:
        raise RecipeError("the recipe is nested too deeply", path=prefix) from None
