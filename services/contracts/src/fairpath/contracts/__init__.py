"""Employment contracts: job orders, rule-checked contracts, versions and substitution findings."""
