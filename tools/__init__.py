"""Tooling outside the app: the embedded PostgreSQL manager. Nothing in the app imports it."""
