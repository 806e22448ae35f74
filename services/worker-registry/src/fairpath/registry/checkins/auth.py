"""Who may call what in the check-ins domain (which check-in a caller reaches, and how much of it, is the
service's)."""

from fairpath.common.auth import Role, roles

# The worker their own; the operator; the worker's agency only whether each was answered.
CheckInReader = roles(Role.worker, Role.agency, Role.compliance_officer, Role.admin, Role.auditor)
# The queue of check-ins across workers (the unanswered ones past their date): the operator and auditors.
CheckInQueueReader = roles(Role.compliance_officer, Role.admin, Role.auditor)
# Only the worker answers, through their own login.
CheckInAnswerer = roles(Role.worker)
