"""Log lines never carry a live link: survey and sign-in tokens are cut out of every path.

A token in a URL is a key to a client's survey or a member's account until it is used or
expires, so `/s/<token>/…` and `/app/sign-in/<token>/…` are logged as `/s/[token]/…`. The
filter sits on the handler of every log line Django writes (its request logger, runserver's
lines) and on gunicorn's access and error logs (`gunicorn.conf.py`).
"""

import logging
import re

from gunicorn.glogging import Logger as GunicornLogger

TOKEN_IN_PATH = re.compile(r"(/s/|/app/sign-in/)[^/\s?#\"']+")


def redact_token_paths(text: str) -> str:
    return TOKEN_IN_PATH.sub(r"\1[token]", text)


class RedactTokenPaths(logging.Filter):
    """Rewrites a record's message with its token paths redacted."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = redact_token_paths(message)
        if redacted != message:
            record.msg, record.args = redacted, None
        return True


class RedactingGunicornLogger(GunicornLogger):
    """Gunicorn's logger, with token paths redacted from its access and error lines."""

    def setup(self, cfg):
        super().setup(cfg)
        for logger in (self.access_log, self.error_log):
            logger.addFilter(RedactTokenPaths())
