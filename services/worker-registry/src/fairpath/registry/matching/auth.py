"""Who may call what in the matching domain (which job order a caller reaches is the service's)."""

from fairpath.common.auth import Role, roles

# The recruiters of a job order: the agencies of its service agreements and its employer.
CandidateReader = roles(Role.agency, Role.employer)
