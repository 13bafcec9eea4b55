"""Reading the raw request body once, within the size limit, before anything parses it."""

from __future__ import annotations

import contextlib
import socket
from typing import Final, Protocol

import falcon

from receiver.errors import BodyTimeout, PayloadTooLarge, UnreadableBody, UnsupportedMediaType

_READ_CHUNK: Final = 64 * 1024
_JSON_MEDIA_TYPE: Final = "application/json"
_MEDIA_TYPE_SHOWN_AT_MOST: Final = 64


class _Readable(Protocol):
    def read(self, size: int = ..., /) -> bytes: ...


def _read_at_most(stream: _Readable, limit: int) -> bytes:
    chunks: list[bytes] = []
    remaining = limit
    while remaining > 0:
        chunk = stream.read(min(_READ_CHUNK, remaining))
        if not chunk:
            break
        chunks.append(chunk)
        remaining -= len(chunk)
    return b"".join(chunks)


def _stop_reading(req: falcon.Request) -> None:
    """Shut the read side of a stalled client's connection, where the server exposes it.

    The server would otherwise keep the connection for the next request and linger on
    close, waiting on a client that has stopped sending; a shut read side ends both at once.
    """
    connection = req.env.get("gunicorn.socket")
    if connection is not None:
        with contextlib.suppress(OSError):
            connection.shutdown(socket.SHUT_RD)


def read_raw_body(req: falcon.Request, max_bytes: int) -> bytes:
    """The exact request bytes, refusing bodies over ``max_bytes``.

    A declared Content-Length over the limit is refused before a byte is read. A body
    without one (chunked) is read only when the server marks its input as terminated,
    and never more than one byte past the limit.
    """
    declared = req.content_length
    if declared is not None and declared > max_bytes:
        raise PayloadTooLarge(f"The body is {declared} bytes; the limit is {max_bytes}.")
    try:
        if declared is not None:
            body = req.bounded_stream.read(declared)
        elif req.env.get("wsgi.input_terminated"):
            body = _read_at_most(req.stream, max_bytes + 1)
        else:
            body = b""
    except TimeoutError:
        _stop_reading(req)
        raise BodyTimeout() from None
    except Exception as error:
        # Whatever the server's input stream raises (bad chunk framing, a connection that
        # ended early) is a fault of this request's framing, not of the receiver.
        raise UnreadableBody() from error
    if declared is not None and len(body) < declared:
        raise UnreadableBody()
    if len(body) > max_bytes:
        raise PayloadTooLarge(f"The body is over the limit of {max_bytes} bytes.")
    return body


def require_json_content_type(content_type: str | None) -> None:
    """Accept ``application/json`` in any letter case with any parameters.

    A charset parameter is ignored: JSON on the wire is UTF-8 (RFC 8259), and the bytes
    were signed as sent, so they are never re-decoded under a declared charset.
    """
    media_type = (content_type or "").split(";", 1)[0].strip().lower()
    if media_type != _JSON_MEDIA_TYPE:
        shown = ascii(media_type[:_MEDIA_TYPE_SHOWN_AT_MOST]) if content_type else "none"
        raise UnsupportedMediaType(f"Content-Type must be application/json, got {shown}.")
