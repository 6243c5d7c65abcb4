"""``GET /api/export`` read as it arrives: JSON Lines, checked to end with the export's end record."""

import http.client
from typing import Iterator, List, Tuple

from ._http import Transport
from .errors import StoreUnavailableError

#: How the export stream's last record begins (src/transfer/format.ts writes kind first, compactly).
_END_RECORD = '{"kind":"end"'


def export_lines(transport: Transport, query: List[Tuple[str, str]]) -> Iterator[str]:
    """The records, one line each without its line end. The request is sent at once, so a bad id or
    an unreachable server raises here; a stream cut short raises after its last whole line."""
    response = transport.open("GET", "/api/export", query=query, accept="application/x-ndjson")
    return _lines(transport, response)


def _lines(transport: Transport, response: http.client.HTTPResponse) -> Iterator[str]:
    last = ""
    try:
        while True:
            try:
                raw = response.readline()
            except OSError as error:
                raise StoreUnavailableError(f"The export from {transport.base_url} was cut short: {error}.") from error
            if not raw:
                break
            if not raw.endswith(b"\n"):
                raise StoreUnavailableError(f"The export from {transport.base_url} was cut short in the middle of a line.")
            last = raw.decode("utf-8").rstrip("\n")
            yield last
    finally:
        response.close()
    if not last.startswith(_END_RECORD):
        raise StoreUnavailableError(f"The export from {transport.base_url} was cut short: it ended without its end record.")
