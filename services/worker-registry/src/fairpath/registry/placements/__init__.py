"""Placements: each worker's contracts as the contracts service reports them, availability, re-hire eligibility,
and the retaliation findings kept per contract (detected by the grievances domain, which reads placements)."""
