"""Who may record a return and invite to a next season; the service narrows each to the records that name the caller."""

from fairpath.common.auth import Role, roles

# The contract's employer, its recruiters or the operator record the journey; the worker confirms they got home.
ReturnRecorder = roles(Role.admin, Role.employer, Role.agency, Role.worker)
# The employer (or the operator for it) invites a worker back for the next season.
SeasonInviter = roles(Role.admin, Role.employer)
