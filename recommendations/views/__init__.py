"""The recommendations' pages, one module per area."""
