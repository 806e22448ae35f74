"""Fee reports (IRIS C): what a worker paid for their recruitment, the finding it makes, and its reimbursement."""
