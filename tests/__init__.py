"""The garden's test suite: `tests/support` holds what tests import, `conftest.py` the fixtures."""
