"""Who may call what in reviewing a business."""

from fairpath.common.auth import Role, roles

# Opening and deciding a vetting case: the operator's compliance officers (two different ones).
CaseOfficer = roles(Role.compliance_officer)
CaseReader = roles(Role.admin, Role.compliance_officer, Role.auditor)
# The decisions on a business: also its own users (record-level rule in cases/service.py).
DecisionReader = roles(Role.admin, Role.compliance_officer, Role.auditor, Role.agency, Role.employer)
