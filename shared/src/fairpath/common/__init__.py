"""Fairpath's common library: what every service shares, written once."""
