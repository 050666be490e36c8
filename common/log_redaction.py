"""Keep private feed addresses out of the logs.

A private podcast feed address (/feeds/private/<token>/podcast.xml) is a password: anyone
holding it hears the members-only audio. Request logs would otherwise keep it in plain text
wherever logs go. deploy/gunicorn.conf.py applies the same pattern to the access log.
"""

import logging
import re

PRIVATE_FEED_TOKEN = re.compile(r"/feeds/private/[^/\s?#\"']+/")
REDACTED = "/feeds/private/…/"


def redact_private_feed_tokens(text: str) -> str:
    return PRIVATE_FEED_TOKEN.sub(REDACTED, text)


class RedactPrivateFeedTokens(logging.Filter):
    """A logging filter that rewrites each record's message with the token removed."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = redact_private_feed_tokens(message)
        if redacted != message:
            record.msg, record.args = redacted, None
        return True
