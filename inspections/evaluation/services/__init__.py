"""Writes of the evaluation app, one function per state change, split by noun. Import from the
submodules."""
