"""Reusable, stateless widgets: they take Vars/values as arguments and never define state."""
