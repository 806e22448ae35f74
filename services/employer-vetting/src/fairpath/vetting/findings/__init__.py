"""Findings: evidence against a business, from vetting itself or reported by other services."""
