"""Placeholder until issue 3 lands."""
