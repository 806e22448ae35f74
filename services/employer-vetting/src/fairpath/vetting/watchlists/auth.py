"""Who may call what in the watchlists domain."""

from fairpath.common.auth import Role, roles

# The admins keep the lists: create them and load them.
WatchlistKeeper = roles(Role.admin)
# Agencies and employers never see what is on a list, nor that a list exists.
WatchlistReader = roles(Role.admin, Role.compliance_officer, Role.auditor)
