"""Who may call the operations domain: only an admin handles dead-lettered events and the clock."""

from fairpath.common.auth import Role, roles

EventOperator = roles(Role.admin)

# Outside production an admin may move the clock every service sees (and read it).
ClockKeeper = roles(Role.admin)
