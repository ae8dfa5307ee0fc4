"""What Chat Completions servers other than OpenAI's need: tool outputs as plain strings."""

import json
from typing import Any, cast

from agents import TResponseInputItem
from agents.run_config import CallModelData, ModelInputData


def flatten_tool_outputs(data: CallModelData[Any]) -> ModelInputData:
    """Tool outputs as plain strings: some local Chat Completions servers reject content arrays."""
    items: list[TResponseInputItem] = []
    for item in data.model_data.input:
        output = item.get("output")
        if item.get("type") == "function_call_output" and not isinstance(output, str):
            # The same item with its output flattened (the dict literal loses its TypedDict type).
            item = cast(TResponseInputItem, {**item, "output": _text(output)})
        items.append(item)
    return ModelInputData(input=items, instructions=data.model_data.instructions)


def _text(output: Any) -> str:
    if isinstance(output, list):
        return "".join(
            str(part.get("text", "")) if isinstance(part, dict) else str(part) for part in output
        )
    return json.dumps(output)
