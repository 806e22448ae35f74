"""The contracts service's projection of vetted businesses, fed by vetting events."""
