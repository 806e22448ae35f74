"""Employment contracts: the typed terms, the rules, versions and the lifecycle."""
