"""A contract's lifecycle: the rules it is held to, drafting and changing its terms, issuing, signing, arrival
verification, completion and termination."""
