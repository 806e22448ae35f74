"""Retaliation: a contract ended by the employer soon after the worker spoke up (filed a grievance, or answered a
post-arrival check-in) is a finding against the employer."""
