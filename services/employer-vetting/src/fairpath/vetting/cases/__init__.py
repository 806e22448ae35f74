"""Vetting cases, the record: one open at a time per business, reopened by a finding after a decision.
Opening one on an officer's word and deciding it (four eyes) are the review package's flows."""
