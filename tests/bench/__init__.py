"""Benchmarks (not timed tests): `python -m tests.bench {seed,home,pages,all}`; see docs/bench.md."""
