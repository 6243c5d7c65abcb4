"""Checks made on the client before a request is sent.

They mirror the server's rules (src/common/ids.ts, src/common/codec.ts) so that a bad id or a value
JSON cannot carry is refused here, with the server's code (``INVALID_ARGUMENT``), instead of being
sent, mangled or silently converted (``json.dumps`` would turn a ``1`` key into ``"1"`` and
``NaN`` into an invalid token). The server still checks everything: these only fail faster.
"""

import math
import re
from typing import Any, Dict, Iterable, List, Mapping, Optional, Sequence, Set

from .errors import InvalidArgumentError

#: A letter or digit, then letters, digits and ``._:@-``: at most 200 characters (SPEC section 1).
ID_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:@-]{0,199}")
#: Deepest nesting of a message and of other data, the value itself being level 1.
MAX_CONTENT_DEPTH = 100
#: Deepest nesting of metadata.
MAX_METADATA_DEPTH = 64
#: Keys metadata may never hold (they could reach a prototype in JavaScript).
FORBIDDEN_KEYS = frozenset(["__proto__", "constructor", "prototype"])


def invalid(argument: str, problem: str) -> InvalidArgumentError:
    return InvalidArgumentError.for_argument(argument, problem)


def describe(value: Any) -> str:
    if value is None:
        return "None"
    if isinstance(value, bool):
        return f"a bool ({value})"
    if isinstance(value, str):
        return f"the string {value[:40]!r}" if value else "an empty string"
    return f"a {type(value).__name__}"


def check_id(value: Any, argument: str) -> str:
    if not isinstance(value, str):
        raise invalid(argument, f"expected an id (a string), got {describe(value)}.")
    if ID_PATTERN.fullmatch(value) is None:
        raise invalid(
            argument,
            f"{value[:60]!r} is not a valid id: a letter or digit, then letters, digits and ._:@- "
            "(at most 200 characters).",
        )
    return value


def check_optional_id(value: Any, argument: str) -> Optional[str]:
    return None if value is None else check_id(value, argument)


def check_ids(values: Any, argument: str) -> List[str]:
    if isinstance(values, str) or not isinstance(values, (list, tuple)):
        raise invalid(argument, f"expected a list of ids, got {describe(values)}.")
    return [check_id(value, f"{argument}[{index}]") for index, value in enumerate(values)]


def check_int(value: Any, argument: str, minimum: Optional[int] = None) -> int:
    # bool is an int in Python; True as a limit is a mistake, not 1.
    if isinstance(value, bool) or not isinstance(value, int):
        raise invalid(argument, f"expected an integer, got {describe(value)}.")
    if minimum is not None and value < minimum:
        raise invalid(argument, f"expected an integer of at least {minimum}, got {value}.")
    return value


def check_optional_int(value: Any, argument: str, minimum: Optional[int] = None) -> Optional[int]:
    return None if value is None else check_int(value, argument, minimum)


def check_bool(value: Any, argument: str) -> bool:
    if not isinstance(value, bool):
        raise invalid(argument, f"expected True or False, got {describe(value)}.")
    return value


def check_str(value: Any, argument: str, allow_empty: bool = True) -> str:
    if not isinstance(value, str):
        raise invalid(argument, f"expected a string, got {describe(value)}.")
    if not allow_empty and value == "":
        raise invalid(argument, "expected a non-empty string.")
    return value


def check_optional_str(value: Any, argument: str) -> Optional[str]:
    return None if value is None else check_str(value, argument)


def check_choice(value: Any, argument: str, choices: Sequence[str]) -> str:
    if not isinstance(value, str) or value not in choices:
        raise invalid(argument, f"expected one of {', '.join(choices)}, got {describe(value)}.")
    return value


def check_strings(values: Any, argument: str) -> List[str]:
    if isinstance(values, str) or not isinstance(values, (list, tuple)):
        raise invalid(argument, f"expected a list of strings, got {describe(values)}.")
    return [check_str(value, f"{argument}[{index}]") for index, value in enumerate(values)]


def check_json(value: Any, argument: str, *, max_depth: int = MAX_CONTENT_DEPTH, forbid_keys: bool = False) -> Any:
    """``value`` if it is plain JSON data (tuples read as lists); else an ``InvalidArgumentError`` naming where."""
    _walk(value, argument, "", 1, max_depth, forbid_keys, set())
    return value


def check_metadata(value: Any, argument: str) -> Dict[str, Any]:
    if not isinstance(value, Mapping):
        raise invalid(argument, f"expected a dict of JSON values, got {describe(value)}.")
    check_json(value, argument, max_depth=MAX_METADATA_DEPTH, forbid_keys=True)
    return dict(value)


def _where(path: str) -> str:
    if path == "":
        return "the value"
    return repr(path if len(path) <= 120 else f"{path[:60]}...{path[-50:]}")


def _child(path: str, key: Any) -> str:
    if isinstance(key, int):
        return f"{path}[{key}]"
    return key if path == "" else f"{path}.{key}"


def _walk(value: Any, argument: str, path: str, depth: int, max_depth: int, forbid_keys: bool, ancestors: Set[int]) -> None:
    if value is None or isinstance(value, (str, bool)):
        return
    if isinstance(value, (int, float)):
        if isinstance(value, float) and not math.isfinite(value):
            raise invalid(argument, f"{_where(path)} is {value}, which JSON cannot represent.")
        return
    if not isinstance(value, (dict, list, tuple)):
        raise invalid(
            argument,
            f"{_where(path)} is a {type(value).__name__}, not plain data "
            "(dicts with string keys, lists, strings, numbers, booleans, None).",
        )
    if id(value) in ancestors:
        raise invalid(argument, f"{_where(path)} refers back to itself (a cycle).")
    if depth > max_depth:
        raise invalid(
            argument,
            f"{_where(path)} is nested more than {max_depth} levels deep; sessionloom accepts at most "
            f"{MAX_METADATA_DEPTH} levels of metadata and {MAX_CONTENT_DEPTH} levels in a message.",
        )
    ancestors.add(id(value))
    try:
        items: Iterable[Any]
        if isinstance(value, dict):
            for key, item in value.items():
                if not isinstance(key, str):
                    raise invalid(argument, f"{_where(path)} has the key {key!r}, which is not a string.")
                if forbid_keys and key in FORBIDDEN_KEYS:
                    raise invalid(
                        argument,
                        f"{_where(_child(path, key))} is a forbidden key (__proto__, constructor and prototype are refused).",
                    )
                _walk(item, argument, _child(path, key), depth + 1, max_depth, forbid_keys, ancestors)
        else:
            items = value
            for index, item in enumerate(items):
                _walk(item, argument, _child(path, index), depth + 1, max_depth, forbid_keys, ancestors)
    finally:
        ancestors.discard(id(value))
