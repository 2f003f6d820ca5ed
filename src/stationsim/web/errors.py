"""One JSON shape for every error the web service answers with::

    {"error": {"code": "not_found", "message": "no run 0123456789abcdef", "where": null}}

``code`` is a stable word for programs, ``message`` a sentence for people (for a scenario file,
the parser's message with the line and key path), ``where`` what the error is about (a request
field such as ``body.scenario``, or ``upload.toml, line 12``), or ``null``. No traceback is
ever sent; faults of the server are logged and answered with ``internal_error``.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from stationsim.errors import InputError, StationsimError, shortened

__all__ = ["ApiError", "BodyLimit", "error_body", "error_response", "install_handlers",
           "scenario_error"]

log = logging.getLogger("stationsim.web")

_CODES = {400: "bad_request", 404: "not_found", 405: "method_not_allowed", 409: "conflict",
          413: "too_large", 415: "unsupported_media_type", 422: "invalid",
          429: "busy", 500: "internal_error", 503: "unavailable"}

class ApiError(Exception):
    """An error answer: HTTP status, code, message, what it is about, extra headers."""

    def __init__(self, status: int, code: str, message: str, where: str | None = None,
                 headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message
        self.where, self.headers = where, headers or {}


def _encodable(text: str) -> str:
    """``text`` with anything UTF-8 cannot hold (lone surrogates, which a JSON request may
    carry into a message) written as a backslash escape."""
    return text.encode("utf-8", "backslashreplace").decode("utf-8")


def error_body(code: str, message: str, where: str | None = None) -> dict[str, Any]:
    """The error shape as a dictionary (always encodable as UTF-8; a message that echoes a
    long input is cut to 1,000 characters)."""
    return {"error": {"code": code, "message": _encodable(shortened(message, 1000)),
                      "where": _encodable(shortened(where, 200)) if where is not None
                      else None}}


def error_response(status: int, code: str, message: str, where: str | None = None,
                   headers: dict[str, str] | None = None) -> JSONResponse:
    """An error answer in the one shape."""
    return JSONResponse(error_body(code, message, where), status_code=status, headers=headers)


def scenario_error(exc: StationsimError) -> ApiError:
    """A 422 answer for a scenario that the parser refused, with its message (which names the
    line and key path) and the place."""
    where = None
    if isinstance(exc, InputError):
        where = exc.source or None
        if exc.line is not None:
            where = f"{where or '<input>'}, line {exc.line}"
            if exc.column is not None:
                where += f", column {exc.column}"
    return ApiError(422, "invalid_scenario", str(exc), where)


def _field(loc: Sequence[Any]) -> str:
    return ".".join(str(part) for part in loc)


def install_handlers(app: FastAPI) -> None:
    """Route every error through the one shape."""

    async def api_error(request: Request, exc: Exception) -> JSONResponse:
        if not isinstance(exc, ApiError):
            raise exc
        return error_response(exc.status, exc.code, exc.message, exc.where, exc.headers)

    async def http_error(request: Request, exc: Exception) -> JSONResponse:
        if not isinstance(exc, StarletteHTTPException):
            raise exc
        status = exc.status_code
        message = str(exc.detail) if exc.detail else "error"
        if status == 400 and request.method == "POST":
            # What the JSON parser could not read: bytes that are not UTF-8, nesting too deep.
            message = ("the body cannot be read as JSON (text that is not UTF-8, or arrays "
                       "and objects nested too deep)")
            return error_response(400, "bad_request", message, "body")
        if status == 404:
            message = f"nothing at {shortened(request.url.path, 120)}"
        elif status == 405:
            message = f"{request.method} is not allowed on {request.url.path}"
        return error_response(status, _CODES.get(status, f"http_{status}"), message,
                              None, dict(exc.headers or {}))

    async def invalid_request(request: Request, exc: Exception) -> JSONResponse:
        if not isinstance(exc, RequestValidationError):
            raise exc
        problems = exc.errors()
        kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if request.method == "POST" and not (kind == "application/json"
                                             or kind.endswith("+json")):
            return error_response(415, "unsupported_media_type",
                                  "send the request body as JSON (Content-Type: "
                                  f"application/json), not {shortened(kind or 'none', 60)}",
                                  "body")
        bad_json = [p for p in problems if p.get("type") == "json_invalid"]
        if bad_json:
            loc = bad_json[0].get("loc", ())
            at = (f" at character {loc[1] + 1}" if len(loc) > 1 and isinstance(loc[1], int)
                  else "")
            reason = (bad_json[0].get("ctx") or {}).get("error", "not valid JSON")
            return error_response(422, "invalid_request",
                                  f"the body is not valid JSON{at}: {reason}", "body")
        first = problems[0] if problems else {"loc": (), "msg": "invalid request"}
        message = "; ".join(f"{_field(p.get('loc', ()))}: {p.get('msg', '')}"
                            for p in problems[:5]) or "invalid request"
        return error_response(422, "invalid_request", message, _field(first.get("loc", ())))

    async def user_error(request: Request, exc: Exception) -> JSONResponse:
        if not isinstance(exc, StationsimError):
            raise exc
        error = scenario_error(exc)
        return error_response(422, "invalid_input", error.message, error.where)

    async def fault(request: Request, exc: Exception) -> JSONResponse:
        log.error("%s %s", request.method, request.url.path, exc_info=exc)
        return error_response(500, "internal_error",
                              "internal error of the server; it has been logged")

    app.add_exception_handler(ApiError, api_error)
    app.add_exception_handler(StarletteHTTPException, http_error)
    app.add_exception_handler(RequestValidationError, invalid_request)
    app.add_exception_handler(StationsimError, user_error)
    app.add_exception_handler(Exception, fault)


def describe_errors_truthfully(app: FastAPI) -> None:
    """Let the OpenAPI description show only the error shape the handlers send: FastAPI adds a
    422 in its own validation shape to every endpoint with parameters, even where none can fail
    (a run id is any text) and although the handlers answer every error in the one shape."""
    build = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            spec = build()
            for operations in spec.get("paths", {}).values():
                for operation in operations.values():
                    answers = operation.get("responses", {})
                    schema = (answers.get("422", {}).get("content", {})
                              .get("application/json", {}).get("schema", {}))
                    if str(schema.get("$ref", "")).endswith("/HTTPValidationError"):
                        del answers["422"]
            shapes = spec.get("components", {}).get("schemas", {})
            for name in ("HTTPValidationError", "ValidationError"):
                shapes.pop(name, None)
        return app.openapi_schema or {}

    app.openapi = openapi  # type: ignore[method-assign]


class BodyLimit:
    """ASGI middleware: a request body larger than ``max_bytes`` is answered with 413 in the
    error shape before the application sees it (by its Content-Length, or while it streams)."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app, self.max_bytes = app, max_bytes

    async def _refuse(self, send: Send, status: int, code: str, message: str) -> None:
        body = json.dumps(error_body(code, message)).encode()
        await send({"type": "http.response.start", "status": status,
                    "headers": [(b"content-type", b"application/json"),
                                (b"content-length", str(len(body)).encode()),
                                (b"connection", b"close")]})
        await send({"type": "http.response.body", "body": body})

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        too_big = (f"the request body is larger than the limit of {self.max_bytes:,} bytes "
                   f"({self.max_bytes // 1024} KiB)")
        for name, value in scope.get("headers", []):
            if name == b"content-length":
                try:
                    length = int(value)
                except ValueError:
                    await self._refuse(send, 400, "bad_request", "Content-Length is no number")
                    return
                if length > self.max_bytes:
                    await self._refuse(send, 413, "too_large", too_big)
                    return
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_bytes:
                await self._refuse(send, 413, "too_large", too_big)
                return
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": b"".join(chunks), "more_body": False}
            return await receive()

        await self.app(scope, replay, send)
