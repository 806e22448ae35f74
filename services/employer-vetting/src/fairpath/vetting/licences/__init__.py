"""Operating licences of businesses, checked against government licence registers."""
