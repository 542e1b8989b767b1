"""The analyst dashboard: a small Starlette app with server-rendered SVG charts."""

from earful.web.app import Dashboard, create_app
from earful.web.serve import is_loopback, serve

__all__ = ["Dashboard", "create_app", "is_loopback", "serve"]
