"""The models the gateway can run beside OpenAI's own: the offline model, and what
OpenAI-compatible Chat Completions servers need."""
