"""The access log: method, route, status and time — never a body, header, query or token."""

from __future__ import annotations

from aiohttp import web
from aiohttp.abc import AbstractAccessLogger


class AccessLogger(AbstractAccessLogger):
    def log(self, request: web.BaseRequest, response: web.StreamResponse, time: float) -> None:
        # The route's pattern, not the path: a mistyped URL must not write what it carries.
        route = "-"
        if isinstance(request, web.Request):
            resource = request.match_info.route.resource
            if resource is not None and request.match_info.http_exception is None:
                route = resource.canonical
        method = request.method if request.method in _METHODS else "OTHER"
        self.logger.info("%s %s %d %.1fms", method, route, response.status, time * 1000)


_METHODS = frozenset({"GET", "POST", "HEAD", "OPTIONS", "PUT", "DELETE", "PATCH"})
