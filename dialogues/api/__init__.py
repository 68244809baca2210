"""The dialogues app's REST API (/api/v1/), one module per part: working groups, meetings with
their agenda and workflow actions, the caller's own invitations, action points. Routes are in
gsx_portal/api_urls.py; what each caller sees is decided by dialogues.selectors, as on the
pages."""
