"""Test helpers shared by every service: PostgreSQL, tokens, service processes."""
