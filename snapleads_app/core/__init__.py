"""Framework-free plumbing shared by every entry point (no reflex, fastapi or dramatiq here)."""
