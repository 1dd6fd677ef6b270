"""Reflex states: translate UI events into domain service calls and hold Public data only.

States never import api_ext or workers; rules and queries live in the domain.
"""
