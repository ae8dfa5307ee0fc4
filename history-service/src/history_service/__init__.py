"""history_service."""
