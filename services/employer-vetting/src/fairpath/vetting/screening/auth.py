"""Who may call what in the screening domain."""

from fairpath.common.auth import Role, roles

# Screening a business and resolving its hits: the operator's compliance officers.
HitScreener = roles(Role.compliance_officer)
# Hits name listed entities (possibly people): agencies and employers never see them.
HitReader = roles(Role.admin, Role.compliance_officer, Role.auditor)
