"""Which model answers: offline (default), OpenAI's Responses API, or any Chat Completions server."""

import json
from typing import Any

from agents import (
    ModelProvider,
    OpenAIProvider,
    set_tracing_disabled,
)
from agents.run_config import CallModelData, ModelInputData
from openai import AsyncOpenAI

from agent_gateway.models.offline import OfflineModelProvider
from agent_gateway.settings import Settings


def create_model_provider(settings: Settings) -> ModelProvider:
    """The provider MODEL_PROVIDER names; tracing export stays off without an OpenAI key."""
    api_key = settings.openai_api_key.get_secret_value() if settings.openai_api_key else None
    set_tracing_disabled(settings.model_provider != "openai" or api_key is None)
    if settings.model_provider == "offline":
        return OfflineModelProvider()
    client = AsyncOpenAI(
        api_key=api_key or "not-needed",
        base_url=settings.openai_base_url,
        timeout=settings.model_timeout_seconds,
        max_retries=1,
    )
    return OpenAIProvider(openai_client=client, use_responses=settings.model_provider == "openai")


def flatten_tool_outputs(data: CallModelData[Any]) -> ModelInputData:
    """Tool outputs as plain strings: some local Chat Completions servers reject content arrays."""
    items = []
    for item in data.model_data.input:
        output = item.get("output") if isinstance(item, dict) else None
        if item.get("type") == "function_call_output" and not isinstance(output, str):  # type: ignore[union-attr]
            item = {**item, "output": _text(output)}  # type: ignore[typeddict-item]
        items.append(item)
    return ModelInputData(input=items, instructions=data.model_data.instructions)


def _text(output: Any) -> str:
    if isinstance(output, list):
        return "".join(
            str(part.get("text", "")) if isinstance(part, dict) else str(part) for part in output
        )
    return json.dumps(output)
