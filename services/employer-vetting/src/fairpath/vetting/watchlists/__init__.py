"""Watchlists: sanctions, debarment and the operator's own blocklists, loaded by streamed import."""
