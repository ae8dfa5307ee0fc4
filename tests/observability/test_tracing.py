"""OpenTelemetry across processes: one chat turn is one trace through all three services."""

import uuid
from collections.abc import Iterator

import httpx2
import pytest

from tests.conftest import gateway_env, start_service
from todo_testing.otlp import OtlpCollector, otlp_collector
from todo_testing.postgres import CreateDatabase, wait_for
from todo_testing.processes import ServiceProcess
from todo_testing.tokens import auth_header


@pytest.fixture(scope="module")
def collector() -> Iterator[OtlpCollector]:
    """The stand-in OTLP collector every traced process exports to."""
    with otlp_collector() as running:
        yield running


@pytest.fixture(scope="module")
def traced_gateway(
    collector: OtlpCollector, create_database: CreateDatabase
) -> Iterator[ServiceProcess]:
    """history-service, mcp-server and agent-gateway, all exporting traces to `collector`."""

    def otel(name: str) -> dict[str, str]:
        return {
            "OTEL_EXPORTER_OTLP_ENDPOINT": collector.endpoint,
            "OTEL_SERVICE_NAME": name,
            "OTEL_BSP_SCHEDULE_DELAY": "100",
        }

    started: list[ServiceProcess] = []
    try:
        for module, name in (
            ("history_service.main", "history-service"),
            ("todo_mcp.main", "mcp-server"),
        ):
            env = {"DATABASE_URL": create_database(), **otel(name)}
            started.append(start_service(module, f"traced-{name}", env))
        history, mcp = started
        env = gateway_env(history, mcp, **otel("agent-gateway"))
        started.append(start_service("agent_gateway.main", "traced-agent-gateway", env))
        yield started[-1]
    finally:
        for process in reversed(started):
            process.stop()


def test_a_chat_turn_is_one_trace_across_all_three_services(
    traced_gateway: ServiceProcess, collector: OtlpCollector
) -> None:
    user = f"otel-{uuid.uuid4().hex[:12]}"
    response = httpx2.post(
        f"{traced_gateway.url}/api/{user}/chat",
        json={"message": "Add a task to buy milk"},
        headers=auth_header(user),
        timeout=60,
    )
    assert response.status_code == 200, response.text

    def turn_spans() -> list:
        return [
            s
            for s in collector.spans()
            if s.service == "agent-gateway" and s.name == "POST /api/{user_id}/chat"
        ]

    wait_for(lambda: turn_spans(), timeout=15, what="the gateway's span of the chat turn")
    trace_id = turn_spans()[-1].trace_id

    def services_in_trace() -> set[str]:
        return {s.service for s in collector.spans() if s.trace_id == trace_id}

    wait_for(
        lambda: {"agent-gateway", "mcp-server", "history-service"} <= services_in_trace(),
        timeout=15,
        what="mcp-server and history-service spans in the chat turn's trace",
    )


def test_exported_spans_hold_no_message_text_or_tool_arguments(
    traced_gateway: ServiceProcess, collector: OtlpCollector
) -> None:
    """A chat turn whose message (and so the task title the tool call carries) holds a unique
    word: no span any service exports names it, in its name or any attribute."""
    user = f"otel-{uuid.uuid4().hex[:12]}"
    marker = f"zebra{uuid.uuid4().hex[:10]}"
    response = httpx2.post(
        f"{traced_gateway.url}/api/{user}/chat",
        json={"message": f"Add a task to feed the {marker}"},
        headers=auth_header(user),
        timeout=60,
    )
    assert response.status_code == 200, response.text
    assert marker in response.text  # the assistant did act on the message

    def turn_trace() -> str | None:
        return next(
            (
                s.trace_id
                for s in collector.spans()
                if s.service == "agent-gateway"
                and s.name == "POST /api/{user_id}/chat"
                and user in repr(s.attributes)  # the request's path names the user
            ),
            None,
        )

    wait_for(turn_trace, timeout=15, what="the gateway's span of the chat turn")

    def tool_call_in_turn() -> bool:
        return any(
            s.service == "mcp-server" and "tools/call" in s.name and s.trace_id == turn_trace()
            for s in collector.spans()
        )

    wait_for(tool_call_in_turn, timeout=15, what="the mcp-server span of the turn's tool call")
    for span in collector.spans():
        assert marker not in span.name
        assert marker not in repr(span.attributes), (span.service, span.name)


def test_the_agents_sdk_trace_export_leaves_content_out_unless_switched_on(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from agent_gateway.agent import create_run_config
    from agent_gateway.settings import Settings

    monkeypatch.delenv("TRACE_INCLUDE_CONTENT", raising=False)
    assert create_run_config(Settings(), None).trace_include_sensitive_data is False
    monkeypatch.setenv("TRACE_INCLUDE_CONTENT", "true")
    assert create_run_config(Settings(), None).trace_include_sensitive_data is True
