"""Fairpath's launcher: the process supervisor (`processes`) and the `./fairpath` commands (`cli`)."""
