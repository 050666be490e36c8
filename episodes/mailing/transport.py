"""How the Sunday email reaches a mail server: raw SMTP with the sent-marks written on a
connection of their own, or a provider's batch API through django-anymail; and whose fault
a failed send is (one recipient's, or the server's)."""

import logging
import smtplib
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import suppress
from dataclasses import dataclass

from anymail.exceptions import AnymailAPIError, AnymailError, AnymailRecipientsRefused
from django.core.mail.backends.smtp import EmailBackend as SMTPBackend
from django.db import connection as db_connection
from django.db.models import F
from django.utils import timezone

from episodes.models import ReleaseDelivery

from .message import ReleaseEmail

logger = logging.getLogger(__name__)


class MailServerUnavailable(Exception):
    """The mail server, or the way to it, failed for everyone rather than for one recipient
    (a 4yz reply, a dropped connection, nobody listening, a timeout). Nothing is marked
    failed: the deliveries not yet sent stay waiting and the task tries again later."""


@dataclass(frozen=True)
class RecipientRefused:
    """A refusal that belongs to one recipient: that delivery fails, the send moves on."""

    code: int | None
    text: str


def _smtp_text(raw) -> str:
    return raw.decode(errors="replace") if isinstance(raw, bytes) else str(raw)


def _anymail_text(error: Exception) -> str:
    """The provider's own words, without anymail's long description of the request."""
    return str(error.args[0]) if error.args else type(error).__name__


def release_failure_classify(error: Exception) -> RecipientRefused | None:
    """Whose fault a failed send is: a RecipientRefused if it is this recipient's, None if
    it is the server's (so the batch stops and the task retries).

    RFC 5321 §4.2.1: a 5yz reply is permanent, a 4yz reply transient. Only refusals of this
    message (at RCPT TO or after DATA) belong to the recipient; a refused sender, a failed
    greeting or login, or any 4yz is the server's, whoever the message was for.
    """
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        code, text = next(iter(error.recipients.values()), (None, b""))
        if code is not None and 500 <= code < 600:
            return RecipientRefused(code=code, text=_smtp_text(text))
        return None
    if isinstance(error, smtplib.SMTPDataError):
        if 500 <= error.smtp_code < 600:
            return RecipientRefused(code=error.smtp_code, text=_smtp_text(error.smtp_error))
        return None
    if isinstance(error, AnymailRecipientsRefused):  # the provider rejected this address
        return RecipientRefused(code=error.status_code, text=_anymail_text(error))
    if isinstance(error, AnymailAPIError):
        # An HTTP API: a refused request for this message (400, 406, 422…) is the
        # recipient's; unauthorised, throttled (429), a server error or no answer is not.
        code = error.status_code
        if code is not None and 400 <= code < 500 and code not in {401, 403, 408, 429}:
            return RecipientRefused(code=code, text=_anymail_text(error))
        return None
    if isinstance(error, ValueError):  # a malformed address (sanitize_address, BadHeaderError)
        return RecipientRefused(code=None, text=str(error))
    return None


def release_failure_text(error: Exception) -> str:
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        code, text = next(iter(error.recipients.values()), (None, b""))
        return f"{code} {_smtp_text(text)}"
    if isinstance(error, smtplib.SMTPResponseException):
        return f"{error.smtp_code} {_smtp_text(error.smtp_error)}"
    if isinstance(error, AnymailError):
        code = error.status_code
        return f"{code} {_anymail_text(error)}" if code else _anymail_text(error)
    return f"{type(error).__name__}: {error}"


def smtp_sendmail(smtp: smtplib.SMTP, from_addr: str, to_addr: str, message: bytes, *, before_data):
    """smtplib's sendmail() for one recipient, with `before_data()` called between the
    envelope (MAIL FROM, RCPT TO) and DATA: the last moment before the server can accept
    the message. Raises what sendmail() raises, for the same replies."""
    smtp.ehlo_or_helo_if_needed()
    options = [f"size={len(message)}"] if smtp.does_esmtp and smtp.has_extn("size") else []
    code, reply = smtp.mail(from_addr, options)
    if code != 250:
        _smtp_transaction_abandon(smtp, code)
        raise smtplib.SMTPSenderRefused(code, reply, from_addr)
    code, reply = smtp.rcpt(to_addr)
    if code not in (250, 251):
        _smtp_transaction_abandon(smtp, code)
        raise smtplib.SMTPRecipientsRefused({to_addr: (code, reply)})
    before_data()
    code, reply = smtp.data(message)
    if code != 250:
        _smtp_transaction_abandon(smtp, code)
        raise smtplib.SMTPDataError(code, reply)


def _smtp_transaction_abandon(smtp: smtplib.SMTP, code: int) -> None:
    """What sendmail() does after a refusal: 421 means the server is closing; otherwise
    RSET, so the connection can carry the next message."""
    if code == 421:
        smtp.close()
        return
    with suppress(smtplib.SMTPServerDisconnected):
        smtp.rset()


class SentMarks:
    """Writes each "sent" mark one message behind, on a database connection of its own.

    Message n's mark is written while message n+1's envelope goes out, and waited for
    before message n+1's DATA, so at any moment at most one accepted message is unmarked,
    as when each mark is written in line; the database round trip (a quarter of the time
    per message on PostgreSQL, make bench-email) hides behind the SMTP one. In line
    instead when the rows are not yet visible to another connection (inside a
    transaction, as in tests) or off PostgreSQL.
    """

    def __init__(self, *, claimer: str):
        self.claimer = claimer
        self._pending: Future | None = None
        self._executor = None
        if db_connection.vendor == "postgresql" and not db_connection.in_atomic_block:
            self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="release-marks")
            self._executor.submit(_marks_connection_prepare)

    def mark(self, pk: int) -> None:
        if self._executor is None:
            _release_delivery_mark_sent(pk=pk, claimer=self.claimer)
            return
        self.wait()
        self._pending = self._executor.submit(
            _release_delivery_mark_sent, pk=pk, claimer=self.claimer
        )

    def wait(self) -> None:
        """Block until the last mark is written; raise what writing it raised."""
        pending, self._pending = self._pending, None
        if pending is not None:
            pending.result()

    def close(self) -> None:
        if self._executor is None:
            return
        try:
            self.wait()
        finally:
            self._executor.submit(_marks_connection_close).result()
            self._executor.shutdown()


def _marks_connection_prepare() -> None:
    """The marks thread's connection commits without waiting for the WAL flush, as the
    chunk's own does (see mailing._commits_without_flush_wait)."""
    with db_connection.cursor() as cursor:
        cursor.execute("SET synchronous_commit TO OFF")


def _marks_connection_close() -> None:
    db_connection.close()  # the marks thread's own connection, looked up in that thread


def _release_delivery_mark_sent(*, pk: int, claimer: str) -> None:
    """Mark one delivery sent, if it is still this run's: the one write per message.

    Written as SQL because it is the hot path of a release: building the same UPDATE
    through the ORM cost about a millisecond a message on the benchmark machine, more
    than the SMTP conversation itself (make bench-email).
    """
    meta = ReleaseDelivery._meta
    quote = db_connection.ops.quote_name
    column = {f.name: quote(f.column) for f in meta.concrete_fields}
    table = quote(meta.db_table)
    assignments = (
        f"{column['status']} = %s, {column['sent_at']} = %s, {column['smtp_code']} = NULL, "
        f"{column['error']} = '', {column['attempts']} = {column['attempts']} + 1"
    )
    condition = f"{column['id']} = %s AND {column['claimed_by']} = %s"
    # Identifiers come from the model, every value is a parameter.
    sql = f"UPDATE {table} SET {assignments} WHERE {condition}"  # noqa: S608
    sent_at = db_connection.ops.adapt_datetimefield_value(timezone.now())
    with db_connection.cursor() as cursor:
        cursor.execute(sql, [ReleaseDelivery.Status.SENT, sent_at, pk, claimer])


def release_delivery_send(
    *,
    delivery: ReleaseDelivery,
    release_email: ReleaseEmail,
    connection,
    claimer: str,
    marks: SentMarks,
) -> int:
    """Send one claimed delivery: 1 if sent, 0 if the recipient was refused (now failed).
    A server failure is recorded on the row, which stays waiting, and raised.

    The previous message's mark is waited for before this message can be accepted (just
    before DATA on SMTP), so at most one accepted message is ever unmarked."""
    try:
        raw = None
        if isinstance(connection, SMTPBackend) and connection.connection is not None:
            raw = release_email.raw_for_recipient(delivery.email)
        if raw is not None:
            envelope_from, message = raw
            smtp_sendmail(
                connection.connection,
                envelope_from,
                delivery.email,
                message,
                before_data=marks.wait,
            )
        else:
            marks.wait()
            connection.send_messages([release_email.for_recipient(delivery.email)])
    except (smtplib.SMTPException, OSError, ValueError, AnymailError) as error:
        refusal = release_failure_classify(error)
        mine = ReleaseDelivery.objects.filter(pk=delivery.pk, claimed_by=claimer)
        if refusal is None:
            reason = release_failure_text(error)
            mine.update(error=reason[:1000], attempts=F("attempts") + 1)
            raise MailServerUnavailable(reason) from error
        logger.warning("Release email to %s refused: %s", delivery.email, refusal.text)
        text = f"{refusal.code} {refusal.text}" if refusal.code else refusal.text
        mine.update(
            status=ReleaseDelivery.Status.FAILED,
            smtp_code=refusal.code,
            error=text[:1000],
            attempts=F("attempts") + 1,
        )
        return 0
    marks.mark(delivery.pk)
    return 1


@dataclass(frozen=True)
class EspBatchApi:
    """An email provider whose batch API takes one message for many recipients, with
    per-recipient merge data in inline content (anymail's batch sending,
    https://anymail.dev/en/stable/sending/templates/#batch-send)."""

    merge_field: str  # how the provider's inline content names a merge field
    limit: int  # recipients per API call


# The providers whose batch API takes inline content with merge fields and per-recipient
# headers (merge_headers, for List-Unsubscribe), keyed by anymail's esp_name. Any other
# provider gets one API call per recipient.
ESP_BATCH_APIS = {
    # https://documentation.mailgun.com/docs/mailgun/user-manual/sending-messages/batch-sending
    "mailgun": EspBatchApi(merge_field="%recipient.{}%", limit=1000),
    # https://developers.sparkpost.com/api/template-language/ (substitution_data)
    "sparkpost": EspBatchApi(merge_field="{{{{{}}}}}", limit=1000),
}


def esp_batch_api(connection) -> EspBatchApi | None:
    """The batch API of the provider behind this mail connection, if it has one."""
    return ESP_BATCH_APIS.get(getattr(connection, "esp_name", "").lower())


# anymail's recipient statuses that mean the provider will not send to that address.
_ESP_REFUSED = {"rejected", "invalid"}


def release_deliveries_send_batch(
    *,
    deliveries: list[ReleaseDelivery],
    release_email: ReleaseEmail,
    connection,
    claimer: str,
    batch_api: EspBatchApi,
    marks: SentMarks,
) -> int:
    """Send a group of claimed deliveries in one call to the provider's batch API; returns
    how many it accepted. Addresses it refuses fail alone; a failed call leaves the group
    waiting and raises MailServerUnavailable.

    The whole group is marked in one write once the provider answers, so a worker killed
    during the call sends that one call's group again, never more."""
    marks.wait()
    message = release_email.for_batch(
        [delivery.email for delivery in deliveries], merge_field=batch_api.merge_field
    )
    ids = [delivery.pk for delivery in deliveries]
    mine = ReleaseDelivery.objects.filter(pk__in=ids, claimed_by=claimer)
    try:
        connection.send_messages([message])
    except AnymailRecipientsRefused as error:  # every address of the group refused
        text = _anymail_text(error)
        logger.warning("Release email refused for a group of %d: %s", len(ids), text)
        mine.update(
            status=ReleaseDelivery.Status.FAILED, error=text[:1000], attempts=F("attempts") + 1
        )
        return 0
    except (AnymailError, OSError, ValueError) as error:
        reason = release_failure_text(error)
        mine.update(error=reason[:1000], attempts=F("attempts") + 1)
        raise MailServerUnavailable(reason) from error
    statuses = message.anymail_status.recipients
    refused = [
        delivery
        for delivery in deliveries
        if getattr(statuses.get(delivery.email), "status", None) in _ESP_REFUSED
    ]
    for delivery in refused:
        status = statuses[delivery.email].status
        logger.warning("Release email to %s refused by the provider: %s", delivery.email, status)
        mine.filter(pk=delivery.pk).update(
            status=ReleaseDelivery.Status.FAILED,
            error=f"The provider reported the address {status}.",
            attempts=F("attempts") + 1,
        )
    refused_ids = {delivery.pk for delivery in refused}
    mine.exclude(pk__in=refused_ids).update(
        status=ReleaseDelivery.Status.SENT,
        sent_at=timezone.now(),
        smtp_code=None,
        error="",
        attempts=F("attempts") + 1,
    )
    return len(ids) - len(refused_ids)
