"""Network deployment policy: an inventory of network elements checked against cited profiles."""
