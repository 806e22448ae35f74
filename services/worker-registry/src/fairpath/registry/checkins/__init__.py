"""Post-arrival check-ins: due some weeks after a placement starts, answered by the worker alone; a worrying
answer becomes a confidential grievance for an officer, tagged with its forced-labour indicator."""
