"""Deployment: the steps between a signed contract and departure (visa, medical, document verification,
travel), each with its state, dates and who paid; a cost the worker paid is a fee finding, and the worker
departs only after a confirmed orientation in a language they speak."""
