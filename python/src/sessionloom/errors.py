"""Errors, named like the TypeScript classes and carrying the same ``code``.

The server answers errors as ``{"error": {"code", "message", ...fields}}``; ``error_from_body``
turns that into the exception of the same name, with the fields it carries (``session_id``,
``expected_version``, ...). Errors found on the client (a bad id, a non-JSON value) are raised with
the same classes and codes before any request is sent, so a caller branches on ``code`` (or the
class) the same way whichever side refused.
"""

from typing import Any, Dict, Mapping, Optional, Type

__all__ = [
    "SessionloomError",
    "SessionNotFoundError",
    "MessageNotFoundError",
    "RunNotFoundError",
    "SessionConflictError",
    "SessionExpiredError",
    "InvalidArgumentError",
    "StoreUnavailableError",
    "ConfigurationError",
    "WorkspaceConflictError",
    "ImportInvalidError",
    "UnauthorizedError",
    "ForbiddenHostError",
    "UnsupportedMediaTypeError",
    "PayloadTooLargeError",
    "RouteNotFoundError",
    "InternalServerError",
    "UnexpectedResponseError",
    "RunFailedError",
]


class SessionloomError(Exception):
    """Every error this package raises on purpose. ``code`` is stable; branch on it or on the class."""

    code: str = "SESSIONLOOM_ERROR"

    def __init__(
        self,
        message: str,
        *,
        status: Optional[int] = None,
        details: Optional[Mapping[str, Any]] = None,
        code: Optional[str] = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        #: The HTTP status the server answered with (None for errors found on the client).
        self.status = status
        #: Every field of the server's error body besides ``code`` and ``message`` (camelCase, as sent).
        self.details: Dict[str, Any] = dict(details or {})
        if code is not None:
            self.code = code

    def _text(self, name: str) -> Optional[str]:
        value = self.details.get(name)
        return value if isinstance(value, str) else None

    def _integer(self, name: str) -> Optional[int]:
        value = self.details.get(name)
        return value if isinstance(value, int) and not isinstance(value, bool) else None

    def __repr__(self) -> str:
        return f"{type(self).__name__}(code={self.code!r}, message={self.message!r})"


class SessionNotFoundError(SessionloomError):
    """No such session, or another user's under a user-bound token (it reads as missing)."""

    code = "SESSION_NOT_FOUND"

    @property
    def session_id(self) -> Optional[str]:
        return self._text("sessionId")


class MessageNotFoundError(SessionloomError):
    """The message id is not on the session's path."""

    code = "MESSAGE_NOT_FOUND"

    @property
    def session_id(self) -> Optional[str]:
        return self._text("sessionId")

    @property
    def message_id(self) -> Optional[str]:
        return self._text("messageId")


class RunNotFoundError(SessionloomError):
    """No such run, or a run of a session outside the token's scope."""

    code = "RUN_NOT_FOUND"

    @property
    def run_id(self) -> Optional[str]:
        return self._text("runId")


class SessionConflictError(SessionloomError):
    """A write with ``expected_version`` found another version (nothing changed), or a run is in progress."""

    code = "SESSION_CONFLICT"

    @property
    def session_id(self) -> Optional[str]:
        return self._text("sessionId")

    @property
    def expected_version(self) -> Optional[int]:
        return self._integer("expectedVersion")

    @property
    def actual_version(self) -> Optional[int]:
        return self._integer("actualVersion")

    @property
    def running_run_id(self) -> Optional[str]:
        """When a run was refused because the session already has one in progress: that run."""
        return self._text("runningRunId")


class SessionExpiredError(SessionloomError):
    """The session has expired: it can be read, not changed."""

    code = "SESSION_EXPIRED"

    @property
    def session_id(self) -> Optional[str]:
        return self._text("sessionId")


class InvalidArgumentError(SessionloomError):
    """A bad id, option or value; nothing was sent or changed. ``argument`` names what was wrong."""

    code = "INVALID_ARGUMENT"

    @classmethod
    def for_argument(cls, argument: str, problem: str) -> "InvalidArgumentError":
        """The error the client raises itself, worded as the TypeScript one: ``Invalid ARG: PROBLEM``."""
        return cls(f"Invalid {argument}: {problem}", details={"argument": argument})

    @property
    def argument(self) -> Optional[str]:
        return self._text("argument")


class StoreUnavailableError(SessionloomError):
    """The server or its store could not be reached or did not answer in time; ``__cause__`` says why."""

    code = "STORE_UNAVAILABLE"


class ConfigurationError(SessionloomError):
    """The server's store is set up wrongly."""

    code = "CONFIGURATION"


class WorkspaceConflictError(SessionloomError):
    """A file rewind would overwrite someone else's changes (not reachable over HTTP, kept for the code)."""

    code = "WORKSPACE_CONFLICT"

    @property
    def session_id(self) -> Optional[str]:
        return self._text("sessionId")


class ImportInvalidError(SessionloomError):
    """TypeScript's ``ImportError`` (renamed: ``ImportError`` is a Python built-in): an export stream refused."""

    code = "IMPORT_INVALID"

    @property
    def line(self) -> Optional[int]:
        return self._integer("line")

    @property
    def applied(self) -> Optional[bool]:
        value = self.details.get("applied")
        return value if isinstance(value, bool) else None


class UnauthorizedError(SessionloomError):
    """No token, or a token the server does not know (HTTP 401)."""

    code = "UNAUTHORIZED"


class ForbiddenHostError(SessionloomError):
    """A server without tokens answers only requests addressed to a loopback name (HTTP 403)."""

    code = "FORBIDDEN_HOST"


class UnsupportedMediaTypeError(SessionloomError):
    code = "UNSUPPORTED_MEDIA_TYPE"


class PayloadTooLargeError(SessionloomError):
    """The request body is over the server's limit (16 MiB by default)."""

    code = "PAYLOAD_TOO_LARGE"


class RouteNotFoundError(SessionloomError):
    """The server has no such route: most often an older server without the feature."""

    code = "ROUTE_NOT_FOUND"


class InternalServerError(SessionloomError):
    """The server failed unexpectedly; the details are in its log, not in the answer."""

    code = "INTERNAL_ERROR"


class UnexpectedResponseError(SessionloomError):
    """The server answered something this client does not understand (not sessionloom, or another version)."""

    code = "UNEXPECTED_RESPONSE"


class RunFailedError(SessionloomError):
    """A run ``send`` waited for ended without completing (failed, cancelled or interrupted)."""

    code = "RUN_FAILED"

    def __init__(self, message: str, *, run_id: str, status: str, result: Any = None) -> None:
        super().__init__(message, details={"runId": run_id, "status": status})
        self.run_id = run_id
        self.run_status = status
        #: The ``RunResult`` built from what the run did before it ended.
        self.result = result


_BY_CODE: Dict[str, Type[SessionloomError]] = {
    cls.code: cls
    for cls in (
        SessionNotFoundError,
        MessageNotFoundError,
        RunNotFoundError,
        SessionConflictError,
        SessionExpiredError,
        InvalidArgumentError,
        StoreUnavailableError,
        ConfigurationError,
        WorkspaceConflictError,
        ImportInvalidError,
        UnauthorizedError,
        ForbiddenHostError,
        UnsupportedMediaTypeError,
        PayloadTooLargeError,
        RouteNotFoundError,
        InternalServerError,
    )
}


def error_from_body(status: int, body: Any) -> SessionloomError:
    """The exception for an error answer; a body that is not ``{"error": {"code", "message"}}`` is unexpected."""
    error = body.get("error") if isinstance(body, dict) else None
    code = error.get("code") if isinstance(error, dict) else None
    message = error.get("message") if isinstance(error, dict) else None
    if not isinstance(error, dict) or not isinstance(code, str) or not isinstance(message, str):
        return UnexpectedResponseError(
            f"The server answered HTTP {status} without a sessionloom error body.", status=status
        )
    details = {key: value for key, value in error.items() if key not in ("code", "message")}
    cls = _BY_CODE.get(code)
    if cls is None:
        # A code from a newer server: still a SessionloomError with that code.
        return SessionloomError(message, status=status, details=details, code=code)
    return cls(message, status=status, details=details)
