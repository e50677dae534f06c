"""One module per container format; each names the specification it follows."""
