"""Answer quality and speed of peerbot next to the alternatives, in one run: `python -m benchmarks`.

Not part of the test suite (a full run takes minutes); tests/benchmarks runs a tiny smoke version.
"""
