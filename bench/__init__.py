"""Benchmarks: each module measures one thing against /health on the same served app."""
