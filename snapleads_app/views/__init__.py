"""Feature sections composed from components and bound to states."""
