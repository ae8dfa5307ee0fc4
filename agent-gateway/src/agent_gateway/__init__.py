"""agent-gateway: stateless chat turns for the Todo Assistant, over the ChatKit protocol and REST.

A turn reads in order through routes, chat_service or chatkit_server, turn, then history_client,
task_tools and agent (see the package README)."""
