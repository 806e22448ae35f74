"""Who may call what in the findings domain."""

from fairpath.common.auth import Role, roles

# The findings against a business: read by whoever may read the business (its own agency or employer
# included, so it knows why it is being reviewed), within the caller's reach; recorded only by the system.
FindingReader = roles(Role.admin, Role.compliance_officer, Role.auditor, Role.agency, Role.employer)
