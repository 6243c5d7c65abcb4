"""What the server returns, as dataclasses: the TypeScript types with their fields in snake_case.

Times are epoch milliseconds, as in TypeScript. User data is passed through as sent: ``metadata``
keeps its own keys, and a message's ``content`` (a string or the AI SDK's content parts, such as
``{"type": "tool-call", "toolCallId": ...}``) is the JSON the server holds, so a message read here
and written elsewhere is unchanged.
"""

import json
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional

__all__ = [
    "message_text",
    "Usage",
    "ForkedFrom",
    "Session",
    "Message",
    "ListResult",
    "RewindResult",
    "RewoundTail",
    "BranchNode",
    "Compaction",
    "Branches",
    "CompactResult",
    "CheckpointSummary",
    "RunError",
    "CancelRequest",
    "ApprovalDecision",
    "RunApproval",
    "PendingApproval",
    "ApprovalAnswer",
    "Run",
    "RunEvent",
    "StartedRun",
    "RunResult",
    "Health",
    "AgentInfo",
    "MessageLocation",
    "FoundMessage",
    "SearchHit",
    "SearchResult",
]


def message_text(content: Any) -> str:
    """A message content's text, as TypeScript's ``messageText``: text parts joined, tool results as text
    (JSON for structured output); reasoning, tool calls, images and files give nothing."""
    if isinstance(content, str):
        return content
    if not isinstance(content, list):
        return ""
    pieces: List[str] = []
    for part in content:
        if not isinstance(part, dict):
            continue
        if part.get("type") == "text" and isinstance(part.get("text"), str):
            pieces.append(part["text"])
        elif part.get("type") == "tool-result":
            pieces.append(_tool_output_text(part.get("output")))
    return "".join(pieces)


def _tool_output_text(output: Any) -> str:
    if not isinstance(output, dict):
        return ""
    kind, value = output.get("type"), output.get("value")
    if kind in ("text", "error-text"):
        return value if isinstance(value, str) else ""
    if kind in ("json", "error-json"):
        return json.dumps(value, separators=(",", ":"), ensure_ascii=False)
    if kind == "content" and isinstance(value, list):
        return "".join(item["text"] for item in value if isinstance(item, dict) and item.get("type") == "text" and isinstance(item.get("text"), str))
    if kind == "execution-denied":
        reason = output.get("reason")
        return reason if isinstance(reason, str) else ""
    return ""


@dataclass(frozen=True)
class Usage:
    input_tokens: int
    output_tokens: int
    total_tokens: int
    cached_input_tokens: Optional[int] = None
    reasoning_tokens: Optional[int] = None
    cost_usd: Optional[float] = None


@dataclass(frozen=True)
class ForkedFrom:
    session_id: str
    message_id: str


@dataclass(frozen=True)
class Session:
    id: str
    #: ``active``, ``suspended`` or ``expired``.
    state: str
    metadata: Dict[str, Any]
    tags: List[str]
    attached_surfaces: List[str]
    usage: Usage
    #: Messages on the session's current path.
    message_count: int
    #: Grows by one with every change: pass it as ``expected_version`` for a compare-and-set.
    version: int
    created_at: int
    updated_at: int
    last_active_at: int
    ttl_ms: Optional[int] = None
    user_id: Optional[str] = None
    agent_id: Optional[str] = None
    workspace_id: Optional[str] = None
    #: The session this one was forked from.
    parent_id: Optional[str] = None
    forked_from: Optional[ForkedFrom] = None
    expires_at: Optional[int] = None
    #: Set at create, update or fork, or else taken from the first user message (one line).
    title: Optional[str] = None


@dataclass(frozen=True)
class Message:
    """A stored message: the AI SDK's ``ModelMessage`` (``role``, ``content``) plus its id and time."""

    role: str
    #: A string, or a list of content parts (dicts in the AI SDK's shape, keys as sent).
    content: Any
    id: str
    created_at: int
    run_id: Optional[str] = None
    metadata: Optional[Dict[str, Any]] = None
    provider_options: Optional[Dict[str, Any]] = None

    @property
    def text(self) -> str:
        """The message's text, as TypeScript's ``messageText``: text parts joined, tool results as text."""
        return message_text(self.content)

    def to_input(self) -> Dict[str, Any]:
        """The message as input for ``append`` elsewhere: role, content and metadata (a new id is given)."""
        message: Dict[str, Any] = {"role": self.role, "content": self.content}
        if self.metadata is not None:
            message["metadata"] = self.metadata
        if self.provider_options is not None:
            message["providerOptions"] = self.provider_options
        return message

    def to_dict(self) -> Dict[str, Any]:
        """The message as the server sent it (camelCase keys)."""
        message = self.to_input()
        message["id"] = self.id
        message["createdAt"] = self.created_at
        if self.run_id is not None:
            message["runId"] = self.run_id
        return message


@dataclass(frozen=True)
class ListResult:
    sessions: List[Session]
    #: Pass as ``cursor`` for the next page; None on the last page.
    next_cursor: Optional[str] = None


@dataclass(frozen=True)
class RewindResult:
    session: Session
    #: How many messages left the path (they stay readable through ``branches``).
    removed_messages: int
    #: True when nothing was changed because of ``dry_run``.
    dry_run: Optional[bool] = None
    #: File rewinds happen only on the machine with the workspace, so over HTTP this is always None.
    files: Optional[Dict[str, Any]] = None


@dataclass(frozen=True)
class RewoundTail:
    message_ids: List[str]
    message_count: int
    after_message_id: Optional[str] = None


@dataclass(frozen=True)
class BranchNode:
    session: Session
    children: List["BranchNode"]
    forked_at_message_id: Optional[str] = None


@dataclass(frozen=True)
class Compaction:
    message_id: str
    created_at: int
    #: The first message the compaction replaced (``from`` in JSON: a Python keyword).
    from_: str = field(metadata={"key": "from"})
    #: The last message it replaced (the kept tail follows it).
    to: str
    count: int
    tokens: int
    kept: int
    run_id: Optional[str] = None


@dataclass(frozen=True)
class Branches:
    session: Session
    #: Ancestors, nearest first.
    parents: List[Session]
    forks: List[BranchNode]
    rewound_tails: List[RewoundTail]
    compactions: List[Compaction] = field(default_factory=list)


@dataclass(frozen=True)
class CompactResult:
    compacted: bool
    session: Session
    compaction: Optional[Compaction] = None
    reason: Optional[str] = None


@dataclass(frozen=True)
class CheckpointSummary:
    message_id: str
    session_id: str
    created_at: int
    changed_files: int
    turn_finished: bool


@dataclass(frozen=True)
class RunError:
    message: str
    name: Optional[str] = None


@dataclass(frozen=True)
class CancelRequest:
    at: int
    reason: Optional[str] = None


@dataclass(frozen=True)
class ApprovalDecision:
    approved: bool
    at: int
    reason: Optional[str] = None
    #: Nobody answered before the request's deadline (``approvalTimeoutMs``): read as a denial.
    timed_out: Optional[bool] = None


@dataclass(frozen=True)
class RunApproval:
    """A tool call a run asked a person about, answered (``decision``) or not."""

    approval_id: str
    tool_call_id: str
    tool_name: str
    input: Any
    step: int
    requested_at: int
    expires_at: Optional[int] = None
    decision: Optional[ApprovalDecision] = None


@dataclass(frozen=True)
class PendingApproval:
    """A request waiting for an answer (``pending_approvals``), with where it belongs."""

    approval_id: str
    run_id: str
    session_id: str
    tool_call_id: str
    tool_name: str
    input: Any
    step: int
    requested_at: int
    expires_at: Optional[int] = None
    user_id: Optional[str] = None
    agent_name: Optional[str] = None


@dataclass(frozen=True)
class Run:
    id: str
    session_id: str
    #: ``running``, ``awaiting-approval``, ``completed``, ``failed``, ``cancelled`` or ``interrupted``.
    status: str
    started_at: int
    usage: Usage
    last_active_at: Optional[int] = None
    metadata: Dict[str, Any] = field(default_factory=dict)
    ended_at: Optional[int] = None
    error: Optional[RunError] = None
    agent_name: Optional[str] = None
    cancel_requested: Optional[CancelRequest] = None
    #: The tool calls the run asked a person about (``status == "awaiting-approval"`` while some wait).
    approvals: Optional[List[RunApproval]] = None


@dataclass(frozen=True)
class ApprovalAnswer:
    """``answer_approvals``' answer: the run with the answers recorded; ``resumed`` when the server
    continues it with its agent (follow it at ``events``), else ``waiting`` requests remain."""

    run: Run
    resumed: bool
    waiting: int
    events: Optional[str] = None
    note: Optional[str] = None


@dataclass(frozen=True)
class RunEvent:
    run_id: str
    #: 1, 2, 3, ... in the order the events happened.
    seq: int
    #: ``run-start``, ``text-delta``, ``text``, ``tool-call``, ``tool-result``, ``step-end``, ``error``, ``run-end``, ...
    type: str
    at: int
    #: The event's data as recorded (keys as sent).
    data: Any = None


@dataclass(frozen=True)
class StartedRun:
    """``start_run``'s answer: the run is recorded and goes on whether or not anyone follows it."""

    run_id: str
    session_id: str
    status: str
    #: The path that follows it: ``/api/runs/ID/events?follow=1``.
    events: Optional[str] = None


@dataclass(frozen=True)
class RunResult:
    """What a run did, once it ended (``SessionHandle.send``, ``RunFollower.result``)."""

    run_id: str
    #: None when the follower was not told (``follow_run`` alone does not read the run's session).
    session_id: Optional[str]
    status: str
    #: The text of the run's last step: the agent's answer.
    output: str
    #: The events received (empty unless the follower keeps them: ``send`` does).
    events: List[RunEvent]
    usage: Optional[Usage] = None
    steps: Optional[int] = None
    error: Optional[str] = None


@dataclass(frozen=True)
class Health:
    ok: bool
    backend: str
    degraded: bool
    #: A fallback store's status (outage, journal, last replay with its conflicts and renames), as
    #: the TypeScript ``FallbackStatus``; shown to unbound tokens only, ``None`` otherwise.
    fallback: Optional[Dict[str, Any]] = None


@dataclass(frozen=True)
class AgentInfo:
    """An agent the server may run (``serve --agents MODULE``)."""

    name: str
    model: Optional[str] = None


@dataclass(frozen=True)
class MessageLocation:
    """Where a message lives for the session it was read through."""

    #: ``path``, ``compacted`` (behind a compaction's summary) or ``rewound`` (off the path, still stored).
    placement: str
    #: Its position along the path it was written on (1 is a conversation's first message).
    position: int
    #: The session that wrote it: this one, or for history a fork shares, the one it was forked from.
    written_by: str
    #: For ``compacted``: the compaction message (the summary) that stands for it on the path.
    compacted_by: Optional[str] = None


@dataclass(frozen=True)
class FoundMessage:
    """What ``get_message`` returns: the message as written, and where it lives."""

    message: Message
    location: MessageLocation


@dataclass(frozen=True)
class SearchHit:
    #: The session the message belongs to: the one written to, or the ``session_id`` searched.
    session_id: str
    message_id: str
    role: str
    created_at: int
    #: The text around the first match, on one line, at most about 160 characters.
    snippet: str
    #: ``[start, end)`` ranges of ``snippet`` that matched, for highlighting.
    highlights: List[List[int]]
    #: Relevance: higher is better, comparable within one search only.
    score: float

    @property
    def highlighted(self) -> List[str]:
        """The matched stretches of the snippet, in order."""
        return [self.snippet[start:end] for start, end in self.highlights]


@dataclass(frozen=True)
class SearchResult:
    #: Best first.
    hits: List[SearchHit]
    #: Pass as ``cursor`` for the next page; None on the last page.
    next_cursor: Optional[str] = None
    #: Only from stores searched by scanning: True when the scan stopped at its bound (narrow the search).
    partial: Optional[bool] = None
