"""The reference event collector: a HEC-compatible endpoint that stores each event once."""
