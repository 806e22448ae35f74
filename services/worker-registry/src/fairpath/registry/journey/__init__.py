"""A worker's journey in one place: the offers made to them, their post-arrival check-ins, the return home at
each contract's end and the invitations to a next season (contracts' events)."""
