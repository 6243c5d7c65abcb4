"""sessionloom for Python: the sessions of a sessionloom server, over its HTTP API.

    from sessionloom import Client

    client = Client("http://127.0.0.1:4300", token="...")
    session = client.create_session(user_id="user-7", metadata={"topic": "billing"})
    client.append(session.id, {"role": "user", "content": "Why was I charged twice?"})

Standard library only. Method and field names are the TypeScript ones in snake_case; errors are
the TypeScript classes with the same ``code``.
"""

from ._follow import RunFollower
from ._version import __version__
from ._arguments import MessageInput, RunInput
from .client import Client
from .errors import (
    ConfigurationError,
    ForbiddenHostError,
    ImportInvalidError,
    InternalServerError,
    InvalidArgumentError,
    MessageNotFoundError,
    PayloadTooLargeError,
    RouteNotFoundError,
    RunFailedError,
    RunNotFoundError,
    SessionConflictError,
    SessionExpiredError,
    SessionloomError,
    SessionNotFoundError,
    StoreUnavailableError,
    UnauthorizedError,
    UnexpectedResponseError,
    UnsupportedMediaTypeError,
    WorkspaceConflictError,
)
from .models import (
    AgentInfo,
    BranchNode,
    Branches,
    CancelRequest,
    CheckpointSummary,
    Compaction,
    CompactResult,
    ForkedFrom,
    Health,
    ListResult,
    Message,
    RewindResult,
    RewoundTail,
    Run,
    RunError,
    RunEvent,
    RunResult,
    Session,
    StartedRun,
    Usage,
    message_text,
)
from .session import SessionHandle

__all__ = [
    "__version__",
    "Client",
    "SessionHandle",
    "RunFollower",
    "MessageInput",
    "RunInput",
    "message_text",
    # data
    "AgentInfo",
    "BranchNode",
    "Branches",
    "CancelRequest",
    "CheckpointSummary",
    "Compaction",
    "CompactResult",
    "ForkedFrom",
    "Health",
    "ListResult",
    "Message",
    "RewindResult",
    "RewoundTail",
    "Run",
    "RunError",
    "RunEvent",
    "RunResult",
    "Session",
    "StartedRun",
    "Usage",
    # errors
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
