"""The Sunday email engine: each released episode's mailing to every subscriber.

mailing.py writes (prepare, chunks claimed with SKIP LOCKED, retries, the resume sweep),
transport.py talks to the mail server or provider, message.py builds the email,
selectors.py reads, admin.py shows staff how each mailing is going. Callers outside
the package use the functions below.
"""

from .mailing import (
    EpisodeNotLive,
    episode_release_email_schedule,
    release_chunk_send,
    release_deliveries_send,
    release_emails_due,
    release_failed_retry,
    release_mailing_dispatch,
    release_mailing_prepare,
    release_send,
    release_test_send,
)
from .message import ReleaseEmail, release_email_build, release_email_prepare
from .transport import MailServerUnavailable, release_failure_classify

__all__ = [
    "EpisodeNotLive",
    "MailServerUnavailable",
    "ReleaseEmail",
    "episode_release_email_schedule",
    "release_chunk_send",
    "release_deliveries_send",
    "release_email_build",
    "release_email_prepare",
    "release_emails_due",
    "release_failed_retry",
    "release_failure_classify",
    "release_mailing_dispatch",
    "release_mailing_prepare",
    "release_send",
    "release_test_send",
]
