"""Routing: which service owns a path, and forwarding requests to it."""
