"""Who may call what in the risk domain."""

from fairpath.common.auth import Role, roles

# The operator's country and sector risk ratings: read by the operator and the auditors, kept by the admins.
CountryRiskReader = roles(Role.admin, Role.compliance_officer, Role.auditor)
CountryRiskKeeper = roles(Role.admin)
