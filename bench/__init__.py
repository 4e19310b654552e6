"""Benchmarks of the locker service against PostgreSQL: `make bench` (or `python -m bench`); see bench/README.md."""
