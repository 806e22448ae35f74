"""Who may call the operations domain: only an admin handles dead-lettered events."""

from fairpath.common.auth import Role, roles

EventOperator = roles(Role.admin)
