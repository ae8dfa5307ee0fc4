"""todo_common."""
