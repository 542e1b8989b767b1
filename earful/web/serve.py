"""Run the dashboard with uvicorn; off loopback only with an access token."""

from __future__ import annotations

import ipaddress
import socket

import uvicorn

from earful.web.app import Dashboard, create_app


def is_loopback(host: str) -> bool:
    """Whether ``host`` is a loopback name or address (only this machine can connect)."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def make_server(dash: Dashboard, sock: socket.socket) -> uvicorn.Server:
    """A uvicorn server for the dashboard; run it with ``server.run([sock])``."""
    host = str(sock.getsockname()[0])
    app = create_app(dash, loopback=is_loopback(host))
    config = uvicorn.Config(app, log_level="warning", access_log=False, lifespan="off")
    return uvicorn.Server(config)


def serve(dash: Dashboard, host: str, port: int) -> None:
    """Serve until interrupted; the caller has checked the token rule."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host.strip("[]"), port))
    make_server(dash, sock).run(sockets=[sock])
