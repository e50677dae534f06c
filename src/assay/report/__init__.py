"""Reporters: serialise an Evaluation; the model itself does no I/O."""
