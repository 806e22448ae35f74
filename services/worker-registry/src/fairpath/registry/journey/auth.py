"""Who may call what in the journey domain (which worker a caller reaches is the service's)."""

from fairpath.common.auth import Role, roles

# The worker their own; their agency and the operator's compliance officers as they read the worker's check-ins.
JourneyReader = roles(Role.worker, Role.agency, Role.compliance_officer)
