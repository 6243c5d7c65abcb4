"""Reading the server's JSON into the dataclasses of ``models``.

Each dataclass field is the TypeScript field in snake_case (``message_count`` is ``messageCount``;
a field whose name cannot be derived, such as ``from_``, names its key in ``field(metadata=...)``).
Types come from the annotations, so the dataclasses are the one description of the shapes. A
missing field or a value of the wrong type raises ``UnexpectedResponseError`` naming where it was,
never a ``KeyError`` or ``TypeError`` from deep inside. Fields the server adds later are ignored.
"""

import dataclasses
import typing
from typing import Any, Dict, Tuple, Type, TypeVar, Union

from .errors import UnexpectedResponseError

T = TypeVar("T")

_NONE_TYPE = type(None)
_hints_cache: Dict[type, Dict[str, Any]] = {}


def camel_case(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


def json_key(field: "dataclasses.Field[Any]") -> str:
    key = field.metadata.get("key")
    return key if isinstance(key, str) else camel_case(field.name)


def decode(cls: Type[T], value: Any, where: str) -> T:
    """``value`` (parsed JSON) as an instance of the dataclass ``cls``."""
    return typing.cast(T, _decode_type(cls, value, where))


def _hints(cls: type) -> Dict[str, Any]:
    hints = _hints_cache.get(cls)
    if hints is None:
        hints = typing.get_type_hints(cls)
        _hints_cache[cls] = hints
    return hints


def _unexpected(where: str, problem: str) -> UnexpectedResponseError:
    return UnexpectedResponseError(f"Unexpected answer from the server: {where} {problem}")


def _decode_dataclass(cls: type, value: Any, where: str) -> Any:
    if not isinstance(value, dict):
        raise _unexpected(where, f"should be an object, got {_kind(value)}.")
    hints = _hints(cls)
    arguments: Dict[str, Any] = {}
    for field in dataclasses.fields(cls):
        if not field.init:
            continue
        key = json_key(field)
        field_type = hints[field.name]
        if key not in value or (value[key] is None and _optional(field_type)):
            if _optional(field_type):
                arguments[field.name] = None
                continue
            if field.default is not dataclasses.MISSING or field.default_factory is not dataclasses.MISSING:
                continue
            raise _unexpected(f"{where}.{key}", "is missing.")
        arguments[field.name] = _decode_type(field_type, value[key], f"{where}.{key}")
    return cls(**arguments)


def _optional(field_type: Any) -> bool:
    return typing.get_origin(field_type) is Union and _NONE_TYPE in typing.get_args(field_type)


def _decode_type(field_type: Any, value: Any, where: str) -> Any:
    if field_type is Any:
        return value
    origin = typing.get_origin(field_type)
    if origin is Union:
        options: Tuple[Any, ...] = tuple(arg for arg in typing.get_args(field_type) if arg is not _NONE_TYPE)
        if value is None:
            return None
        if len(options) == 1:
            return _decode_type(options[0], value, where)
        return value  # unions of several types are only used for data passed through as is
    if origin in (list, typing.List):
        if not isinstance(value, list):
            raise _unexpected(where, f"should be a list, got {_kind(value)}.")
        (item_type,) = typing.get_args(field_type) or (Any,)
        return [_decode_type(item_type, item, f"{where}[{index}]") for index, item in enumerate(value)]
    if origin in (dict, typing.Dict):
        if not isinstance(value, dict):
            raise _unexpected(where, f"should be an object, got {_kind(value)}.")
        return dict(value)
    if dataclasses.is_dataclass(field_type) and isinstance(field_type, type):
        return _decode_dataclass(field_type, value, where)
    if field_type is bool:
        if not isinstance(value, bool):
            raise _unexpected(where, f"should be true or false, got {_kind(value)}.")
        return value
    if field_type is int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise _unexpected(where, f"should be an integer, got {_kind(value)}.")
        return value
    if field_type is float:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise _unexpected(where, f"should be a number, got {_kind(value)}.")
        return value
    if field_type is str:
        if not isinstance(value, str):
            raise _unexpected(where, f"should be a string, got {_kind(value)}.")
        return value
    raise TypeError(f"sessionloom: no decoder for {field_type!r} at {where}")  # a bug in models.py


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__
