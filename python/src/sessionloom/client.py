"""``Client``: every route of sessionloom's HTTP API, named after the TypeScript store's methods.

Arguments are checked before anything is sent (ids, integers, JSON values), with the errors and
codes the server would answer; keyword arguments are the TypeScript options in snake_case and go
over the wire in camelCase. Answers come back as the dataclasses of ``models``.
"""

from typing import Any, Dict, Iterator, List, Mapping, Optional, Sequence, Tuple, Union

from . import _validation as check
from ._arguments import (
    MessageInput,
    RunInput,
    defined,
    keep_option,
    list_field,
    message_items,
    messages_body,
    run_input,
    run_path,
    seconds,
    session_path,
)
from ._audit import AuditMethods
from ._decode import decode
from ._export import export_lines
from ._follow import RunFollower
from ._http import Transport, query_pairs, segment
from .errors import RunNotFoundError, SessionNotFoundError, StoreUnavailableError, UnexpectedResponseError
from .session import SessionHandle, open_session
from ._approvals import AnswerInput, answers_body, decision_answers
from .models import (
    AgentInfo,
    ApprovalAnswer,
    PendingApproval,
    Branches,
    CheckpointSummary,
    CompactResult,
    Health,
    ListResult,
    Message,
    RewindResult,
    Run,
    RunEvent,
    Session,
    StartedRun,
)


_STATES = ("active", "suspended", "expired")
_ORDER_BY = ("createdAt", "updatedAt", "lastActiveAt")
_ORDER = ("asc", "desc")



class Client(AuditMethods):
    """A client of a ``sessionloom serve`` server (or any app made with ``createApp``).

    ``Client("http://127.0.0.1:4300", token="...", timeout=30)``: ``token`` is the server's bearer
    token (a token bound to a user sees only that user's sessions); ``timeout`` bounds each request
    in seconds (a follow waits ``idle_timeout`` for its next event or heartbeat instead).
    """

    def __init__(self, base_url: str, token: Optional[str] = None, timeout: float = 30.0) -> None:
        self._http = Transport(base_url, token, timeout)

    @property
    def base_url(self) -> str:
        return self._http.base_url

    def __repr__(self) -> str:
        return f"Client({self.base_url!r})"

    # -- server -------------------------------------------------------------------------------

    def health(self) -> Health:
        return decode(Health, self._get("/api/health"), "health")

    def agents(self) -> List[AgentInfo]:
        """The agents the server may run (``serve --agents MODULE``)."""
        body = self._get("/api/agents")
        return [decode(AgentInfo, item, f"agents[{index}]") for index, item in enumerate(list_field(body, "agents"))]

    # -- sessions -----------------------------------------------------------------------------

    def create_session(
        self,
        *,
        id: Optional[str] = None,
        title: Optional[str] = None,
        user_id: Optional[str] = None,
        agent_id: Optional[str] = None,
        workspace_id: Optional[str] = None,
        surface_id: Optional[str] = None,
        metadata: Optional[Mapping[str, Any]] = None,
        tags: Optional[Sequence[str]] = None,
        messages: Optional[Sequence[MessageInput]] = None,
        ttl_ms: Optional[int] = None,
    ) -> Session:
        body = defined(
            id=check.check_optional_id(id, "id"),
            title=check.check_optional_str(title, "title"),
            userId=check.check_optional_id(user_id, "userId"),
            agentId=check.check_optional_id(agent_id, "agentId"),
            workspaceId=check.check_optional_id(workspace_id, "workspaceId"),
            surfaceId=check.check_optional_id(surface_id, "surfaceId"),
            metadata=None if metadata is None else check.check_metadata(metadata, "metadata"),
            tags=None if tags is None else check.check_strings(tags, "tags"),
            messages=None if messages is None else messages_body(messages, "messages", single=False),
            ttlMs=check.check_optional_int(ttl_ms, "ttlMs", 1),
        )
        return self._session(self._http.json("POST", "/api/sessions", body=body)[1])

    def get_session(self, session_id: str) -> Optional[Session]:
        """The session, or None when there is none (or it is another user's)."""
        path = session_path(session_id)
        try:
            return self._session(self._get(path))
        except SessionNotFoundError:
            return None

    def list_sessions(
        self,
        *,
        user_id: Optional[str] = None,
        agent_id: Optional[str] = None,
        workspace_id: Optional[str] = None,
        state: Union[None, str, Sequence[str]] = None,
        tags: Optional[Sequence[str]] = None,
        filter: Optional[Mapping[str, str]] = None,
        surface_id: Optional[str] = None,
        parent_id: Optional[str] = None,
        title_prefix: Optional[str] = None,
        order_by: Optional[str] = None,
        order: Optional[str] = None,
        limit: Optional[int] = None,
        cursor: Optional[str] = None,
    ) -> ListResult:
        """One page of sessions; pass ``result.next_cursor`` as ``cursor`` for the next (or use ``iter_sessions``).

        ``filter`` matches metadata keys against string values (a query string cannot carry types);
        ``title_prefix`` keeps the sessions whose title starts with that text (case-sensitive).
        """
        states: Optional[List[str]] = None
        if state is not None:
            states = [state] if isinstance(state, str) else list(state)
            for index, value in enumerate(states):
                check.check_choice(value, f"state[{index}]", _STATES)
        query = query_pairs(
            userId=check.check_optional_id(user_id, "userId"),
            agentId=check.check_optional_id(agent_id, "agentId"),
            workspaceId=check.check_optional_id(workspace_id, "workspaceId"),
            state=states,
            tag=None if tags is None else check.check_strings(tags, "tags"),
            surfaceId=check.check_optional_id(surface_id, "surfaceId"),
            parentId=check.check_optional_id(parent_id, "parentId"),
            titlePrefix=None if title_prefix is None else check.check_str(title_prefix, "titlePrefix", allow_empty=False),
            orderBy=None if order_by is None else check.check_choice(order_by, "orderBy", _ORDER_BY),
            order=None if order is None else check.check_choice(order, "order", _ORDER),
            limit=check.check_optional_int(limit, "limit", 1),
            cursor=check.check_optional_str(cursor, "cursor"),
        )
        if filter is not None:
            if not isinstance(filter, Mapping):
                raise check.invalid("filter", f"expected a dict of metadata keys to string values, got {check.describe(filter)}.")
            for key, value in filter.items():
                check.check_str(key, "filter key", allow_empty=False)
                if key in check.FORBIDDEN_KEYS:
                    raise check.invalid(f"filter.{key}", "metadata has no such key.")
                query.append((f"filter.{key}", check.check_str(value, f"filter.{key}")))
        return decode(ListResult, self._get("/api/sessions", query), "list")

    def iter_sessions(self, **filters: Any) -> Iterator[Session]:
        """Every session ``list_sessions(**filters)`` matches, page after page."""
        cursor = filters.pop("cursor", None)
        while True:
            page = self.list_sessions(cursor=cursor, **filters)
            yield from page.sessions
            if page.next_cursor is None:
                return
            cursor = page.next_cursor

    def update_session(
        self,
        session_id: str,
        *,
        title: Optional[str] = None,
        metadata: Optional[Mapping[str, Any]] = None,
        tags: Optional[Sequence[str]] = None,
        agent_id: Optional[str] = None,
        workspace_id: Optional[str] = None,
        ttl_ms: Optional[int] = None,
        expected_version: Optional[int] = None,
    ) -> Session:
        """Replaces ``title``, shallow-merges ``metadata`` (a key set to None is stored as null) and replaces ``tags``."""
        path = session_path(session_id)
        body = defined(
            title=check.check_optional_str(title, "title"),
            metadata=None if metadata is None else check.check_metadata(metadata, "metadata"),
            tags=None if tags is None else check.check_strings(tags, "tags"),
            agentId=check.check_optional_id(agent_id, "agentId"),
            workspaceId=check.check_optional_id(workspace_id, "workspaceId"),
            ttlMs=check.check_optional_int(ttl_ms, "ttlMs", 1),
            expectedVersion=check.check_optional_int(expected_version, "expectedVersion", 0),
        )
        return self._session(self._http.json("PATCH", path, body=body)[1])

    def delete_session(self, session_id: str) -> bool:
        """Deletes the session; False when there was none."""
        path = session_path(session_id)
        try:
            self._http.json("DELETE", path)
        except SessionNotFoundError:
            return False
        return True

    # -- messages -----------------------------------------------------------------------------

    def get_messages(
        self,
        session_id: str,
        *,
        limit: Optional[int] = None,
        after: Optional[str] = None,
        before: Optional[str] = None,
        order: Optional[str] = None,
        last: Optional[int] = None,
    ) -> List[Message]:
        """The session's path, oldest first, paged by message id; ``last=N`` is the newest N."""
        return self._message_list(f"{session_path(session_id)}/messages", limit, after, before, order, last)

    def history(
        self,
        session_id: str,
        *,
        limit: Optional[int] = None,
        after: Optional[str] = None,
        before: Optional[str] = None,
        order: Optional[str] = None,
        last: Optional[int] = None,
    ) -> List[Message]:
        """Every message of the conversation, through every compaction; paged as ``get_messages``."""
        return self._message_list(f"{session_path(session_id)}/history", limit, after, before, order, last)

    def iter_messages(self, session_id: str, *, page_size: int = 200, history: bool = False) -> Iterator[Message]:
        """Every message on the path (or, with ``history``, through compactions), a page at a time."""
        check.check_int(page_size, "page_size", 1)
        read = self.history if history else self.get_messages
        after: Optional[str] = None
        while True:
            page = read(session_id, limit=page_size, after=after)
            yield from page
            if len(page) < page_size:
                return
            after = page[-1].id

    def append(
        self,
        session_id: str,
        messages: Union[MessageInput, Sequence[MessageInput]],
        *,
        expected_version: Optional[int] = None,
        operation_id: Optional[str] = None,
    ) -> List[Message]:
        """Adds messages at the head and returns them with their ids.

        ``expected_version`` makes it a compare-and-set (``SessionConflictError`` otherwise, nothing
        written); a retry with the same ``operation_id`` appends nothing twice.
        """
        path = f"{session_path(session_id)}/messages"
        body = defined(
            messages=messages_body(messages, "messages", single=True),
            expectedVersion=check.check_optional_int(expected_version, "expectedVersion", 0),
            operationId=check.check_optional_id(operation_id, "operationId"),
        )
        return message_items(self._http.json("POST", path, body=body)[1], "append")

    append_message = append

    def fork(
        self,
        session_id: str,
        *,
        from_message: Optional[str] = None,
        id: Optional[str] = None,
        title: Optional[str] = None,
        metadata: Optional[Mapping[str, Any]] = None,
        tags: Optional[Sequence[str]] = None,
    ) -> Session:
        """A new session whose history is this one's up to ``from_message`` (default: its head); its title is the source's unless given."""
        path = f"{session_path(session_id)}/fork"
        body = defined(
            fromMessage=check.check_optional_id(from_message, "fromMessage"),
            id=check.check_optional_id(id, "id"),
            title=check.check_optional_str(title, "title"),
            metadata=None if metadata is None else check.check_metadata(metadata, "metadata"),
            tags=None if tags is None else check.check_strings(tags, "tags"),
        )
        return self._session(self._http.json("POST", path, body=body)[1])

    def rewind(
        self, session_id: str, *, to_message: Optional[str] = None, to_start: bool = False, dry_run: bool = False
    ) -> RewindResult:
        """Moves the head back to ``to_message`` (or, with ``to_start``, before the first message).

        Later messages leave the path but stay readable (``branches``). Files are rewound only on the
        machine that holds the workspace (the library or CLI), never over HTTP.
        """
        path = f"{session_path(session_id)}/rewind"
        check.check_bool(to_start, "toStart")
        check.check_bool(dry_run, "dryRun")
        if (to_message is None) == (not to_start):
            raise check.invalid("rewind options", "give to_message or to_start=True (one of them).")
        body = defined(
            toMessage=check.check_optional_id(to_message, "toMessage"),
            toStart=True if to_start else None,
            dryRun=True if dry_run else None,
        )
        return decode(RewindResult, self._http.json("POST", path, body=body)[1], "rewind")

    def branches(self, session_id: str) -> Branches:
        """The fork tree around a session: parents, forks, rewound tails and compactions."""
        return decode(Branches, self._get(f"{session_path(session_id)}/branches"), "branches")

    def checkpoints(self, session_id: str) -> List[CheckpointSummary]:
        body = self._get(f"{session_path(session_id)}/checkpoints")
        return [decode(CheckpointSummary, item, f"checkpoints[{i}]") for i, item in enumerate(list_field(body, "checkpoints"))]

    def compact(
        self,
        session_id: str,
        *,
        summary: str,
        keep: Optional[Mapping[str, int]] = None,
        expected_version: Optional[int] = None,
    ) -> CompactResult:
        """The path becomes one summary message and the kept tail (``keep={"last_messages": 4}``); nothing is deleted."""
        path = f"{session_path(session_id)}/compact"
        body = defined(
            summary=check.check_str(summary, "summary", allow_empty=False),
            keep=None if keep is None else keep_option(keep),
            expectedVersion=check.check_optional_int(expected_version, "expectedVersion", 0),
        )
        return decode(CompactResult, self._http.json("POST", path, body=body)[1], "compact")

    # -- runs ---------------------------------------------------------------------------------

    def runs(self, session_id: str) -> List[Run]:
        body = self._get(f"{session_path(session_id)}/runs")
        return [decode(Run, item, f"runs[{index}]") for index, item in enumerate(list_field(body, "runs"))]

    def get_run(self, run_id: str) -> Optional[Run]:
        """The run, or None when there is none (or it is in another user's session)."""
        path = run_path(run_id)
        try:
            return decode(Run, self._get(path), "run")
        except RunNotFoundError:
            return None

    def run_events(self, run_id: str, *, after_seq: Optional[int] = None, limit: Optional[int] = None) -> List[RunEvent]:
        """The run's recorded events, in order (``after_seq`` and ``limit`` page them)."""
        path = f"{run_path(run_id)}/events"
        query = query_pairs(afterSeq=check.check_optional_int(after_seq, "afterSeq", 0), limit=check.check_optional_int(limit, "limit", 1))
        body = self._get(path, query)
        return [decode(RunEvent, item, f"events[{index}]") for index, item in enumerate(list_field(body, "events"))]

    def follow_run(
        self,
        run_id: str,
        *,
        after_seq: int = 0,
        reconnect_delay: Optional[float] = None,
        max_reconnects: int = 10,
        idle_timeout: float = 60.0,
        keep_events: bool = False,
    ) -> RunFollower:
        """The run's events as they are recorded (Server-Sent Events), until the run ends.

        A lost connection is opened again from the last event received (``Last-Event-ID``), so every
        event comes once, in order. ``reconnect_delay`` overrides the server's ``retry`` (1 s);
        after ``max_reconnects`` failures in a row a ``StoreUnavailableError`` is raised;
        ``idle_timeout`` is how long a silent stream is trusted (the server sends heartbeats).
        With ``keep_events``, ``result.events`` lists them once the run has ended.
        """
        return RunFollower(
            self._http,
            check.check_id(run_id, "runId"),
            after_seq=check.check_int(after_seq, "afterSeq", 0),
            reconnect_delay=None if reconnect_delay is None else seconds(reconnect_delay, "reconnect_delay", allow_zero=True),
            max_reconnects=check.check_int(max_reconnects, "max_reconnects", 0),
            idle_timeout=seconds(idle_timeout, "idle_timeout"),
            keep_events=check.check_bool(keep_events, "keep_events"),
        )

    def start_run(self, session_id: str, agent: str, input: RunInput, *, allow_concurrent: bool = False) -> StartedRun:
        """Starts a run of a registered agent on the session; returns once the run is recorded (202).

        The run goes on in the server whether or not anyone follows it. A session runs one run at a
        time: another in progress is a ``SessionConflictError`` whose ``running_run_id`` names it.
        """
        path = f"{session_path(session_id)}/runs"
        body = defined(
            agent=check.check_id(agent, "agent"),
            input=run_input(input),
            allowConcurrent=True if check.check_bool(allow_concurrent, "allowConcurrent") else None,
        )
        return decode(StartedRun, self._http.json("POST", path, body=body, expect=(202,))[1], "start run")

    def cancel_run(self, run_id: str, *, reason: Optional[str] = None) -> Run:
        """Asks the run to stop (it does within a second, keeping what it wrote); returns the run as it stands."""
        path = f"{run_path(run_id)}/cancel"
        body = defined(reason=check.check_optional_str(reason, "reason"))
        return decode(Run, self._http.json("POST", path, body=body, expect=(200, 202))[1], "cancel run")

    # -- approvals ----------------------------------------------------------------------------

    def pending_approvals(
        self, *, user_id: Optional[str] = None, session_id: Optional[str] = None, run_id: Optional[str] = None
    ) -> List[PendingApproval]:
        """Tool calls waiting for a person, oldest first (a token bound to a user sees only that user's)."""
        query = query_pairs(
            userId=None if user_id is None else check.check_id(user_id, "userId"),
            sessionId=None if session_id is None else check.check_id(session_id, "sessionId"),
            runId=None if run_id is None else check.check_id(run_id, "runId"),
        )
        body = self._get("/api/approvals", query)
        return [decode(PendingApproval, item, f"approvals[{index}]") for index, item in enumerate(list_field(body, "approvals"))]

    def answer_approvals(self, run_id: str, approvals: Sequence[AnswerInput], *, agent: Optional[str] = None) -> ApprovalAnswer:
        """Answers a waiting run's requests: ``[{"approval_id": ..., "approved": False, "reason": "..."}]``.

        Once every request of the run is answered the server continues the run with its registered
        agent (``agent`` names one) and ``resumed`` is true. Answering one twice is a
        ``SessionConflictError``; an unknown approval id an ``InvalidArgumentError``.
        """
        return self._answer(run_id, answers_body(approvals), agent)

    def approve(self, run_id: str, *approval_ids: str, reason: Optional[str] = None, agent: Optional[str] = None) -> ApprovalAnswer:
        """Approves the named requests of the run, or every one still waiting when none is named."""
        return self._answer(run_id, decision_answers(self._waiting_ids(run_id, approval_ids), True, reason), agent)

    def deny(self, run_id: str, *approval_ids: str, reason: Optional[str] = None, agent: Optional[str] = None) -> ApprovalAnswer:
        """Denies the named requests of the run (all waiting ones when none is named); the model is sent ``reason``."""
        return self._answer(run_id, decision_answers(self._waiting_ids(run_id, approval_ids), False, reason), agent)

    def _waiting_ids(self, run_id: str, approval_ids: Sequence[str]) -> List[str]:
        if approval_ids:
            return list(approval_ids)
        waiting = [request.approval_id for request in self.pending_approvals(run_id=run_id)]
        if not waiting:
            raise check.invalid("run_id", f'run "{run_id}" has no request waiting for an answer.')
        return waiting

    def _answer(self, run_id: str, answers: List[Dict[str, Any]], agent: Optional[str]) -> ApprovalAnswer:
        path = f"{run_path(run_id)}/approvals"
        body = defined(approvals=answers, agent=None if agent is None else check.check_id(agent, "agent"))
        return decode(ApprovalAnswer, self._http.json("POST", path, body=body, expect=(200, 202))[1], "answer approvals")

    # -- export -------------------------------------------------------------------------------

    def export(self, session_ids: Optional[Sequence[str]] = None) -> Iterator[str]:
        """The export stream (JSON Lines, read as it arrives) of the sessions in the token's scope, or those named.

        Each line is one record, without its line end. A download cut short (no end record) raises
        ``StoreUnavailableError`` after its last whole line, so it never passes for a whole export.
        """
        query = query_pairs(session=None if session_ids is None else check.check_ids(session_ids, "session"))
        return export_lines(self._http, query)

    # -- the session handle -------------------------------------------------------------------

    def session(
        self,
        session_id: Optional[str] = None,
        *,
        user_id: Optional[str] = None,
        agent: Optional[str] = None,
        create: bool = True,
        **init: Any,
    ) -> SessionHandle:
        """A handle on one session, in the style of an agent SDK's session: ``send``, ``history``, ``runs``, ...

        The session is created when it does not exist (with ``user_id`` and ``**init``, the keyword
        arguments of ``create_session``), unless ``create=False``, which makes a missing session a
        ``SessionNotFoundError``. ``agent`` is the registered agent ``send`` runs (default: the
        server's only agent).
        """
        return open_session(self, session_id, user_id=user_id, agent=agent, create=create, init=init)

    def resume_session(self, session_id: str, *, agent: Optional[str] = None) -> SessionHandle:
        """``session(session_id, create=False)``: an existing session, or a ``SessionNotFoundError``."""
        return self.session(session_id, agent=agent, create=False)

    # -- helpers ------------------------------------------------------------------------------

    def _get(self, path: str, query: Optional[List[Tuple[str, str]]] = None) -> Any:
        return self._http.json("GET", path, query=query)[1]

    def _session(self, body: Any) -> Session:
        return decode(Session, body, "session")

    def _message_list(
        self, path: str, limit: Optional[int], after: Optional[str], before: Optional[str], order: Optional[str], last: Optional[int]
    ) -> List[Message]:
        query = query_pairs(
            limit=check.check_optional_int(limit, "limit", 1),
            after=check.check_optional_id(after, "after"),
            before=check.check_optional_id(before, "before"),
            order=None if order is None else check.check_choice(order, "order", _ORDER),
            last=check.check_optional_int(last, "last", 1),
        )
        return message_items(self._get(path, query), "messages")
