"""HEAD requests: answered as the GET of the same path would be, without its body (RFC 9110,
9.3.2), so that link checkers and monitors can probe the dashboard and the API cheaply."""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

__all__ = ["HeadAsGet"]


class HeadAsGet:
    """ASGI middleware: a HEAD request goes to the application as a GET; the status and the
    headers (Content-Length included) come back, the body does not. Not for event streams
    (``.../events``), which would run for as long as their run does: HEAD gets 405 there."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (scope["type"] != "http" or scope["method"] != "HEAD"
                or str(scope.get("path", "")).endswith("/events")):
            await self.app(scope, receive, send)
            return

        async def headers_only(message: Message) -> None:
            if message["type"] == "http.response.body":
                if not message.get("more_body", False):
                    await send({"type": "http.response.body", "body": b"",
                                "more_body": False})
                return
            await send(message)

        await self.app({**scope, "method": "GET"}, receive, headers_only)
