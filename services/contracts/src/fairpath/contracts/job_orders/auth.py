"""Who may record and read job orders; the service narrows each to the businesses the caller acts for."""

from fairpath.common.auth import READ_ALL_ROLES, Role, roles

# The employer, a recruiting agency under a service agreement, or the operator records a job order.
JobOrderRecorder = roles(Role.admin, Role.employer, Role.agency)
# Operators and auditors read every job order; an employer or agency the ones it is party to.
JobOrderReader = roles(*READ_ALL_ROLES, Role.employer, Role.agency)
