"""The contracts service's projection of registered workers, fed by registry events."""
