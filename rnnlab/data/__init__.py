"""Loading, validating, scaling and windowing series."""
