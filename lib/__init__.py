"""The bottom layer: helpers for requests, responses and mail that know no app of ours.

Only Django, DRF and the standard library are imported here; every app may use it (pyproject.toml's import
contract keeps it so).
"""
