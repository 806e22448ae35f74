"""Vetting cases: a compliance officer opens one, a different one decides it (four eyes)."""
