"""The self-contained HTML report (`report.html`)."""
