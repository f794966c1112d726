"""Benchmarks (not tests): each script prints a markdown table; bench/run_all runs them all."""
