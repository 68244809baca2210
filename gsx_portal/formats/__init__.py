"""Locale formats that complete Django's own (settings.FORMAT_MODULE_PATH); any format not set
here falls back to Django's module for the language."""
