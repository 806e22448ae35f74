"""Who may read and who may replace the operator's reference tables."""

from fairpath.common.auth import Role, roles

# Everyone signed in reads the tables the contract rules apply.
ReferenceReader = roles(*Role)
# The operator's admins keep them: each row with its source and date.
ReferenceKeeper = roles(Role.admin)
