"""serve(): how every console script runs uvicorn."""

import httpx2

from todo_common import serve as serve_module
from todo_common.settings import ServiceSettings


def test_idle_connections_outlive_every_clients_keepalive_expiry(monkeypatch):
    captured: dict = {}
    monkeypatch.setattr(serve_module.uvicorn, "run", lambda app, **kwargs: captured.update(kwargs))
    serve_module.serve("pkg.app:create_app", ServiceSettings(port=9999), "svc")
    client_expiry = httpx2.Limits().keepalive_expiry  # 5 s, like most HTTP clients
    assert captured["timeout_keep_alive"] > client_expiry
    assert (captured["host"], captured["port"], captured["factory"]) == ("127.0.0.1", 9999, True)
    assert captured["access_log"] is False


def test_uvicorn_runs_our_protocol_with_the_configured_header_timeout(monkeypatch):
    captured: dict = {}
    monkeypatch.setattr(serve_module.uvicorn, "run", lambda app, **kwargs: captured.update(kwargs))
    serve_module.serve("pkg.app:create_app", ServiceSettings(header_timeout_seconds=3), "svc")
    assert issubclass(captured["http"], serve_module.HeaderTimeoutProtocol)
    assert captured["http"].header_timeout == 3
    # Idle keep-alive connections are not cut short by the header timeout.
    assert captured["timeout_keep_alive"] > captured["http"].header_timeout
