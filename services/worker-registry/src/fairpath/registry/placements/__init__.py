"""Placements: each worker's contracts as the contracts service reports them, re-hire eligibility, retaliation findings."""
