"""Employer and agency vetting: due diligence on every business in the recruitment chain."""
