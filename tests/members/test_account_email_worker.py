"""allauth's emails are rendered by the web process and sent by a worker."""

from unittest import mock

import pytest

from members import tasks

pytestmark = pytest.mark.django_db

SIGNUP = {
    "email": "new.reader@example.com",
    "password1": "a-long-unusual-passphrase",
    "password2": "a-long-unusual-passphrase",
}


def test_sign_up_hands_the_verification_email_to_a_worker(client, mailoutbox):
    with mock.patch.object(tasks.send_rendered_email, "delay") as queued:
        assert client.post("/accounts/signup/", SIGNUP).status_code == 302
    assert mailoutbox == []  # nothing sent inside the request
    (payload,), _ = queued.call_args
    assert payload["to"] == ["new.reader@example.com"]
    assert "/accounts/confirm-email/" in payload["body"]
    tasks.send_rendered_email(payload)  # what the worker does
    (sent,) = mailoutbox
    assert sent.to == ["new.reader@example.com"]
    assert sent.subject == payload["subject"]
    assert sent.body == payload["body"]
    assert [list(alternative) for alternative in sent.alternatives] == payload["alternatives"]


def test_the_worker_retries_a_mail_server_that_is_down(client, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 9, 1
    payload = {
        "subject": "Hi",
        "body": "Body",
        "from_email": "hello@backinshape.example",
        "to": ["someone@example.com"],
        "headers": {},
        "alternatives": [],
    }
    task = tasks.send_rendered_email
    with (
        mock.patch.object(task, "retry", side_effect=RuntimeError) as retry,
        pytest.raises(RuntimeError),
    ):
        task.apply(args=[payload], throw=True)
    assert retry.called
