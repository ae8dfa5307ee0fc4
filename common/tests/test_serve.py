"""serve(): how every console script runs uvicorn."""

import gc

import httpx2
import pytest

from todo_common import serve as serve_module
from todo_common.settings import ServiceSettings


@pytest.fixture(autouse=True)
def _unfreeze():
    """serve() freezes this test process's heap too: give it back to the collector."""
    yield
    gc.unfreeze()


def test_idle_connections_outlive_every_clients_keepalive_expiry(monkeypatch):
    captured: dict = {}
    monkeypatch.setattr(serve_module.uvicorn, "run", lambda app, **kwargs: captured.update(kwargs))
    serve_module.serve("todo_common.settings:ServiceSettings", ServiceSettings(port=9999), "svc")
    client_expiry = httpx2.Limits().keepalive_expiry  # 5 s, like most HTTP clients
    assert captured["timeout_keep_alive"] > client_expiry
    assert (captured["host"], captured["port"], captured["factory"]) == ("127.0.0.1", 9999, True)
    assert captured["access_log"] is False


def test_the_loaded_code_is_frozen_out_of_the_garbage_collectors_walks(monkeypatch):
    monkeypatch.setattr(serve_module.uvicorn, "run", lambda app, **kwargs: None)
    assert gc.get_freeze_count() == 0
    serve_module.serve("todo_common.settings:ServiceSettings", ServiceSettings(), "svc")
    assert gc.get_freeze_count() > 0
