"""Disclosure-controlled statistics: pure functions on pandas DataFrames, no Flask."""
