"""Binary identification: version strings found by one multi-pattern pass over each file."""
