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
