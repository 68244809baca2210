"""The recommendations' forms, one module per area (catalogue, progress, cycles)."""
