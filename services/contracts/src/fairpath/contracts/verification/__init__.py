"""The public check of a printed contract: its version's code (and QR code) tells whether it is the signed version."""
