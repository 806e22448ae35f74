"""Contract substitution: the terms presented on arrival compared with the version the worker signed."""
