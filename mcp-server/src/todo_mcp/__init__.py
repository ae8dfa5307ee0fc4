"""todo_mcp."""
