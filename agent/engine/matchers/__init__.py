"""Compiled matchers, one module per ``type`` of the pack format."""
