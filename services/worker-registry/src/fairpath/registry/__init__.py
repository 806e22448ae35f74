"""The worker registry: consented, encrypted migrant-worker records."""
