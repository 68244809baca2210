# Django's Arabic formats set the dates but not the date-times, which then fall back to the
# global defaults: the US order ("11/25/2026", "November 25, 2026"). These follow Django's own
# Arabic date and time formats: day first, the right-to-left marks (U+200F) keeping the slashes
# in place, the Arabic comma, and the time as TIME_FORMAT ("g:i A").
DATETIME_FORMAT = "j F، Y، g:i A"
SHORT_DATETIME_FORMAT = "d\u200f/m\u200f/Y g:i A"
