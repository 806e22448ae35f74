"""Who may call what in the orientation domain (which session a caller reaches is the service's: `_reach`)."""

from fairpath.common.auth import Role, roles

# Agencies hold the sessions of their workers.
SessionOrganiser = roles(Role.agency)
# The agency its own sessions; the operator and auditors every one; a worker the sessions they attended.
SessionReader = roles(Role.agency, Role.worker, Role.compliance_officer, Role.admin, Role.auditor)
# The agency records its workers' attendance; the worker confirms their own.
AttendanceRecorder = roles(Role.agency, Role.worker)
