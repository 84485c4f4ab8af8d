"""Contender C of the benchmark: the quote endpoints as a typical DRF project ships them."""
