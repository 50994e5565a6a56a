"""The access log: method, route, status and time — never a body, header, query or token."""

from __future__ import annotations

import logging
from typing import Final

from aiohttp import web
from aiohttp.abc import AbstractAccessLogger

# A successful check happens on every typing pause: at INFO it would fill the log with one
# line per pause and cost a noticeable share of the check's own time, so it logs at DEBUG.
# Refusals and every other route stay at INFO.
QUIET_ROUTES: Final = frozenset({"/v1/check"})


class AccessLogger(AbstractAccessLogger):
    def log(self, request: web.BaseRequest, response: web.StreamResponse, time: float) -> None:
        # Every check passes here: when its DEBUG line would be dropped, stop before any work.
        # (A quiet route is a plain path, so the path equals the route it matched.)
        quiet = request.path in QUIET_ROUTES and response.status < 400
        if quiet and not self.logger.isEnabledFor(logging.DEBUG):
            return
        # The route's pattern, not the path: a mistyped URL must not write what it carries.
        route = "-"
        if isinstance(request, web.Request):
            resource = request.match_info.route.resource
            if resource is not None and request.match_info.http_exception is None:
                route = resource.canonical
        level = logging.DEBUG if response.status < 400 and route in QUIET_ROUTES else logging.INFO
        if not self.logger.isEnabledFor(level):
            return
        method = request.method if request.method in _METHODS else "OTHER"
        self.logger.log(level, "%s %s %d %.1fms", method, route, response.status, time * 1000)


_METHODS = frozenset({"GET", "POST", "HEAD", "OPTIONS", "PUT", "DELETE", "PATCH"})
