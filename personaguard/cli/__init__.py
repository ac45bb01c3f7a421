"""The `personaguard` command line: thin wiring over the library."""
