"""Presence: who is online in a workspace right now (framework-free)."""
