"""Who may call what in the businesses domain."""

from fairpath.common.auth import Role, roles

# Registering and changing a business: the operator, and the agencies and employers themselves
# (record-level rules in service.py narrow it to the businesses within their reach).
BusinessRegistrar = roles(Role.admin, Role.compliance_officer, Role.agency, Role.employer)
BusinessEditor = roles(Role.admin, Role.compliance_officer, Role.agency, Role.employer)
BusinessReader = roles(Role.admin, Role.compliance_officer, Role.auditor, Role.agency, Role.employer)
