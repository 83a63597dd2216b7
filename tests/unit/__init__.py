"""The fast layer: the pure modules, with no server and no database (``make test-fast``)."""
