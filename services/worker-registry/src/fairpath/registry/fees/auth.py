"""Who may call what in the fees domain (which report a caller reaches is the service's: `_reach`)."""

from fairpath.common.auth import Role, roles

# The worker through their own channel, or their agency for them.
FeeReporter = roles(Role.worker, Role.agency)
# Every role may ask for a report; the worker's side, the operator and the business it is against reach it.
FeeReader = roles(*Role)
# Promised and paid: the business, the agency or the operator; confirmed or disputed: the worker alone.
FeeReimburser = roles(Role.worker, Role.agency, Role.employer, Role.compliance_officer, Role.admin)
# A worker's fee reports: who may read the worker's record (the service narrows it to the worker, their agency,
# the operator and auditors; an employer that sees a profile gets 404, as for a worker outside its reach).
FeeListReader = roles(Role.worker, Role.agency, Role.employer, Role.compliance_officer, Role.admin, Role.auditor)
