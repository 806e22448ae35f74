"""Return and reintegration (IOM's phase 4): the return journey at the contract's end, at the employer's cost and
confirmed by the worker, and in seasonal schemes the employer's invitation to the next season."""
