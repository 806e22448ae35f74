"""The registry's projection of the businesses vetting knows, fed by vetting events: which business ids a fee or a grievance may name."""
