"""Which business record each recruitment agency or employer organisation acts for, learnt from vetting events."""
