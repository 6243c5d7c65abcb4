"""HTTP to the sessionloom server with ``http.client``: one connection per request, JSON in and out.

What can go wrong is turned into this package's errors at this one place: an error answer becomes
the exception named by its ``code``; a refused connection, a reset or a timeout becomes
``StoreUnavailableError`` with the network error as its ``__cause__``; an answer that is not the
JSON expected becomes ``UnexpectedResponseError``.
"""

import http.client
import json
import math
import socket
import ssl
from typing import Any, Dict, List, Mapping, Optional, Sequence, Tuple, Union
from urllib.parse import quote, urlencode, urlsplit

from ._version import __version__
from ._validation import invalid
from .errors import StoreUnavailableError, UnexpectedResponseError, error_from_body

#: Query parameters as (name, value) pairs; a name may repeat (``tag=a&tag=b``).
QueryPairs = Sequence[Tuple[str, str]]
#: A token the server accepts: visible ASCII without spaces (src/server/auth.ts).
_TOKEN_CHARACTERS = frozenset(chr(code) for code in range(0x21, 0x7F))
_NO_BODY: Any = object()


def segment(value: str) -> str:
    """A path segment: every character outside letters, digits and ``-._~`` percent-encoded."""
    return quote(value, safe="")


class Transport:
    def __init__(self, base_url: Any, token: Any, timeout: Any) -> None:
        if not isinstance(base_url, str):
            raise invalid("base_url", "expected the server's URL, such as 'http://127.0.0.1:4300'.")
        parts = urlsplit(base_url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise invalid("base_url", f"expected an http:// or https:// URL, got {base_url[:80]!r}.")
        if parts.query or parts.fragment:
            raise invalid("base_url", "expected a URL without a query or fragment.")
        try:
            port = parts.port
        except ValueError as error:
            raise invalid("base_url", f"the port of {base_url[:80]!r} is not valid.") from error
        if token is not None and (not isinstance(token, str) or token == "" or not set(token) <= _TOKEN_CHARACTERS):
            raise invalid("token", "expected the server's bearer token: visible ASCII characters without spaces.")
        if isinstance(timeout, bool) or not isinstance(timeout, (int, float)) or not math.isfinite(timeout) or timeout <= 0:
            raise invalid("timeout", "expected a positive number of seconds.")
        self.base_url = base_url.rstrip("/")
        self.timeout = float(timeout)
        self._https = parts.scheme == "https"
        self._host = parts.hostname
        self._port = port
        self._prefix = parts.path.rstrip("/")
        self._token: Optional[str] = token

    # -- requests -------------------------------------------------------------------------------

    def json(
        self,
        method: str,
        path: str,
        *,
        query: Optional[QueryPairs] = None,
        body: Any = _NO_BODY,
        expect: Sequence[int] = (200, 201, 202),
    ) -> Tuple[int, Any]:
        """Sends a request and returns ``(status, parsed JSON)`` (``None`` for 204)."""
        response = self.open(method, path, query=query, body=body)
        try:
            status = response.status
            raw = self._read(response)
        finally:
            response.close()
        if status == 204:
            return status, None
        if status not in expect:
            raise UnexpectedResponseError(f"The server answered {method} {path} with HTTP {status}.", status=status)
        return status, self._parse(raw, response, f"{method} {path}")

    def open(
        self,
        method: str,
        path: str,
        *,
        query: Optional[QueryPairs] = None,
        body: Any = _NO_BODY,
        headers: Optional[Mapping[str, str]] = None,
        timeout: Optional[float] = None,
        accept: str = "application/json",
    ) -> http.client.HTTPResponse:
        """Sends a request and returns the open response of a success (2xx); an error answer is raised."""
        target = self._prefix + path + (("?" + urlencode(list(query))) if query else "")
        # One connection per request, closed with its response: nothing is left open between calls, and
        # closing a followed event stream closes its socket at once.
        request_headers: Dict[str, str] = {
            "Accept": accept,
            "User-Agent": f"sessionloom-python/{__version__}",
            "Connection": "close",
        }
        if self._token is not None:
            request_headers["Authorization"] = f"Bearer {self._token}"
        payload: Optional[bytes] = None
        if body is not _NO_BODY:
            # allow_nan=False: callers validated the values; this is the last line against NaN on the wire.
            payload = json.dumps(body, ensure_ascii=False, allow_nan=False, separators=(",", ":")).encode("utf-8")
            request_headers["Content-Type"] = "application/json"
        elif method not in ("GET", "HEAD"):
            # The server wants JSON on every changing request (its CSRF guard), even an empty one.
            request_headers["Content-Type"] = "application/json"
        request_headers.update(headers or {})
        connection = self._connection(self.timeout if timeout is None else timeout)
        try:
            connection.request(method, target, body=payload, headers=request_headers)
            response = connection.getresponse()
        except (OSError, http.client.HTTPException) as error:
            connection.close()
            raise self._unavailable(error, method, path) from error
        if response.status >= 400:
            try:
                raw = self._read(response)
            finally:
                response.close()
                connection.close()
            raise self._error_answer(response, raw)
        return response

    # -- helpers --------------------------------------------------------------------------------

    def _connection(self, timeout: float) -> http.client.HTTPConnection:
        if self._https:
            return http.client.HTTPSConnection(self._host, self._port, timeout=timeout, context=ssl.create_default_context())
        return http.client.HTTPConnection(self._host, self._port, timeout=timeout)

    def _read(self, response: http.client.HTTPResponse) -> bytes:
        try:
            return response.read()
        except (OSError, http.client.HTTPException) as error:
            raise self._unavailable(error, "reading", "the answer") from error

    def _unavailable(self, error: BaseException, method: str, path: str) -> StoreUnavailableError:
        if isinstance(error, socket.timeout):
            reason = f"it did not answer within {self.timeout:g} s"
        else:
            reason = f"{type(error).__name__}: {error}"
        return StoreUnavailableError(f"The sessionloom server at {self.base_url} is unavailable ({method} {path}): {reason}.")

    def _error_answer(self, response: http.client.HTTPResponse, raw: bytes) -> Exception:
        try:
            body = json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            snippet = raw[:200].decode("utf-8", "replace")
            return UnexpectedResponseError(
                f"The server at {self.base_url} answered HTTP {response.status} with something other than a sessionloom error: {snippet!r}",
                status=response.status,
            )
        return error_from_body(response.status, body)

    def _parse(self, raw: bytes, response: http.client.HTTPResponse, what: str) -> Any:
        try:
            return json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            kind = response.getheader("content-type") or "no content type"
            raise UnexpectedResponseError(
                f"The server at {self.base_url} answered {what} with something other than JSON ({kind}): {raw[:120].decode('utf-8', 'replace')!r}",
                status=response.status,
            ) from None


def query_pairs(**values: Union[None, str, int, bool, Sequence[str]]) -> List[Tuple[str, str]]:
    """Query pairs from keyword values (camelCase names), leaving out None; a list repeats the name."""
    pairs: List[Tuple[str, str]] = []
    for name, value in values.items():
        if value is None:
            continue
        if isinstance(value, (list, tuple)):
            pairs.extend((name, item) for item in value)
        elif isinstance(value, bool):
            pairs.append((name, "true" if value else "false"))
        else:
            pairs.append((name, str(value)))
    return pairs
