"""Benchmarks of newsqa, each a command: ``python -m bench.<name> --help``."""
