"""The organizations app's REST API (/api/v1/), one module per part: the directory (organizations,
themes, criteria, the caller's account), contacts and introductions, members and invitations,
requester verification, vetting. Routes are in gsx_portal/api_urls.py."""
