"""The error a bad inventory, profile or plan file raises."""


class NetworkInputError(ValueError):
    """A bad inventory, profile or plan; one line naming where (file, row or rule, field)."""
