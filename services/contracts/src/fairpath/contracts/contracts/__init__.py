"""Employment contracts as recorded: the typed terms, the immutable versions, who may read them and how they read."""
