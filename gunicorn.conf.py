"""Gunicorn reads this file from the folder it starts in (the project root, `/app` in the
image): its access and error logs go through a logger that redacts token paths."""

logger_class = "config.log_redaction.RedactingGunicornLogger"
