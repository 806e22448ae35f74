"""Who may call what in the grievances domain (which grievance a caller reaches, and how much of it, is the
service's: `_reach`)."""

from fairpath.common.auth import Role, roles

# The worker directly, their agency for them, or a compliance officer who took it in.
GrievanceFiler = roles(Role.worker, Role.agency, Role.compliance_officer)
# Every role may ask: the worker's side, the operator, and the business a grievance is against reach it.
GrievanceReader = roles(*Role)
# Investigating, deciding, resolving and escalating are the compliance officers' alone.
GrievanceInvestigator = roles(Role.compliance_officer)
