"""The gateway: the one public door (authentication, access, routing)."""
