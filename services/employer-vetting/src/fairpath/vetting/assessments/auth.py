"""Who may call what in the assessments domain."""

from fairpath.common.auth import Role, roles

# The question set is no secret: every role may read it.
QuestionReader = roles(*list(Role))
# A self-assessment is the business's own word: submitted by the business, or the operator for it.
AssessmentSubmitter = roles(Role.admin, Role.compliance_officer, Role.agency, Role.employer)
# Read back by whoever may read the business (the business itself to see what it answered before).
AssessmentReader = roles(Role.admin, Role.compliance_officer, Role.auditor, Role.agency, Role.employer)
