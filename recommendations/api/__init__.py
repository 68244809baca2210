"""The recommendations' API (/api/v1/), one module per resource."""
