"""Templates for ``postguard pack init``: a company pack skeleton to start from."""
