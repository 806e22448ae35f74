"""Who may call what in the licences domain."""

from fairpath.common.auth import Role, roles

# A business's licences: recorded by the operator or the business itself, read by them and the auditors.
LicenceRecorder = roles(Role.admin, Role.compliance_officer, Role.agency, Role.employer)
LicenceReader = roles(Role.admin, Role.compliance_officer, Role.auditor, Role.agency, Role.employer)
# A government licence register replaces what is known of a country's licences: the admin's alone.
LicenceRegisterImporter = roles(Role.admin)
