"""Operations: the operator's handles on the running system (dead letters)."""
