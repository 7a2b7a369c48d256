"""Pressroom's benchmarks (issue 9): `make bench`, or `python -m bench --help`."""
