"""Turning a ``Client`` method's Python arguments into what goes over the wire, checked first."""

from typing import Any, Dict, List, Mapping, Sequence, Union

from . import _validation as check
from ._decode import decode
from ._http import segment
from .errors import UnexpectedResponseError
from .models import Message

#: A message to append: a dict in the AI SDK's shape (``{"role": "user", "content": "..."}``,
#: optionally ``id``, ``createdAt``, ``metadata``) or a ``Message`` read elsewhere.
MessageInput = Union[Mapping[str, Any], Message]
#: What a run answers: a user message's text, a message, or a list of messages.
RunInput = Union[str, MessageInput, Sequence[MessageInput]]

_KEEP_KEYS = {"last_messages": "lastMessages", "last_tokens": "lastTokens"}


def session_path(session_id: str) -> str:
    return f"/api/sessions/{segment(check.check_id(session_id, 'sessionId'))}"


def run_path(run_id: str) -> str:
    return f"/api/runs/{segment(check.check_id(run_id, 'runId'))}"


def defined(**values: Any) -> Dict[str, Any]:
    return {key: value for key, value in values.items() if value is not None}


def _message(message: Any, argument: str) -> Dict[str, Any]:
    if isinstance(message, Message):
        message = message.to_input()
    if not isinstance(message, Mapping):
        raise check.invalid(argument, f"expected a message (a dict with role and content), got {check.describe(message)}.")
    check.check_json(message, argument)
    if message.get("id") is not None:
        check.check_id(message["id"], f"{argument}.id")
    if message.get("metadata") is not None:
        check.check_metadata(message["metadata"], f"{argument}.metadata")
    return dict(message)


def messages_body(messages: Any, argument: str, *, single: bool) -> Union[Dict[str, Any], List[Dict[str, Any]]]:
    if single and (isinstance(messages, (Mapping, Message))):
        return _message(messages, argument)
    if isinstance(messages, (str, bytes)) or not isinstance(messages, (list, tuple)):
        raise check.invalid(argument, f"expected a list of messages, got {check.describe(messages)}.")
    return [_message(message, f"{argument}[{index}]") for index, message in enumerate(messages)]


def run_input(value: Any) -> Any:
    if isinstance(value, str):
        return check.check_str(value, "input", allow_empty=False)
    return messages_body(value, "input", single=True)


def keep_option(keep: Any) -> Dict[str, int]:
    if not isinstance(keep, Mapping):
        raise check.invalid("keep", f'expected a dict such as {{"last_messages": 4}}, got {check.describe(keep)}.')
    result: Dict[str, int] = {}
    for key, value in keep.items():
        if key not in _KEEP_KEYS:
            raise check.invalid("keep", f"unknown key {key!r} (accepted: {', '.join(_KEEP_KEYS)}).")
        result[_KEEP_KEYS[key]] = check.check_int(value, f"keep.{key}", 0)
    return result


def seconds(value: Any, argument: str, allow_zero: bool = False) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value != value or value < 0 or (value == 0 and not allow_zero):
        raise check.invalid(argument, f"expected a {'non-negative' if allow_zero else 'positive'} number of seconds, got {check.describe(value)}.")
    return float(value)


def list_field(body: Any, name: str) -> List[Any]:
    items = body.get(name) if isinstance(body, dict) else None
    if not isinstance(items, list):
        raise UnexpectedResponseError(f'Unexpected answer from the server: expected {{"{name}": [...]}}.')
    return items


def message_items(body: Any, what: str) -> List[Message]:
    return [decode(Message, item, f"{what}[{index}]") for index, item in enumerate(list_field(body, "messages"))]

