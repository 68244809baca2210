"""The recommendations app's REST API (/api/v1/), one module per part: source documents,
recommendations, addressees' responses and implementation updates, review cycles, and the
caller's own follows. Routes are in gsx_portal/api_urls.py; what each caller sees is decided by
recommendations.selectors, as on the pages, and every change goes through
recommendations.services."""
