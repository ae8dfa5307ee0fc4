"""The `_meta` names our MCP server and its clients agree on (MCP reserves prefixed names)."""

IDEMPOTENCY_KEY = "todo/idempotency-key"
"""In a `tools/call` request: the same key again gets the first call's result and changes nothing."""

RETRYABLE = "todo/retryable"
"""In an error result: the call failed for a passing reason (the task store was unreachable)."""
