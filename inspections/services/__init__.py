"""Writes of the inspections app, split by noun (rounds, visits, rectification, year_end, certification,
notifications). Import from the submodules; this package re-exports nothing."""
