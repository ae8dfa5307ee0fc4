"""The gateway's own Prometheus metrics, beside the per-route HTTP metrics every service has."""

import time
from typing import Any

from agents import Agent, ModelResponse, RunContextWrapper, RunHooks, TResponseInputItem
from prometheus_client import Counter, Histogram

TURN_SECONDS = Histogram(
    "chat_turn_duration_seconds",
    "A chat turn's agent run, from its start to the answer (model calls and tools included).",
    ["outcome"],
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60),
)
MODEL_SECONDS = Histogram(
    "model_call_duration_seconds",
    "One call to the language model (a turn may make several).",
    ["provider"],
    buckets=(0.001, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60),
)
HISTORY_SECONDS = Histogram(
    "history_request_duration_seconds",
    "One request to history-service, sent to answered (a turn makes two to four).",
    ["method", "outcome"],
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5),
)
TOOL_CALLS = Counter("tool_calls_total", "Tool calls the agent made.", ["tool", "status"])
TOOL_SECONDS = Histogram(
    "tool_call_duration_seconds",
    "One tool call, request to result.",
    ["tool"],
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5),
)


def record_tool_call(tool: str, status: str, duration_ms: float) -> None:
    """Count a finished tool call and its duration."""
    TOOL_CALLS.labels(tool, status).inc()
    TOOL_SECONDS.labels(tool).observe(duration_ms / 1000)


class ModelTimer(RunHooks[Any]):
    """Times each model call of one run (one instance per turn)."""

    def __init__(self, provider: str) -> None:
        self.provider = provider
        self._started: float | None = None

    async def on_llm_start(
        self,
        context: RunContextWrapper[Any],
        agent: Agent[Any],
        system_prompt: str | None,
        input_items: list[TResponseInputItem],
    ) -> None:
        """A model call begins."""
        self._started = time.perf_counter()

    async def on_llm_end(
        self, context: RunContextWrapper[Any], agent: Agent[Any], response: ModelResponse
    ) -> None:
        """A model call returned."""
        if self._started is not None:
            MODEL_SECONDS.labels(self.provider).observe(time.perf_counter() - self._started)
            self._started = None
