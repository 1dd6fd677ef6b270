"""Dramatiq entry point: `broker` builds the broker and installs the job sender, `actors` declares the actors.

Import `workers.actors` once at process start (the app's startup, or the `dramatiq` CLI) — importing
`workers` alone has no side effects.
"""
