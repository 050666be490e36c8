"""Django's async-safety check stays on outside the browser tests.

Only tests/e2e sets DJANGO_ALLOW_ASYNC_UNSAFE, and only while Playwright runs (see
tests/e2e/conftest.py). These tests run after tests/e2e in a whole-suite run, so they also
show that nothing of Playwright's is left running once the browser tests are done: the ORM
test is transactional, as the browser tests are, so pytest-django orders it after them.
"""

import asyncio
import os

import pytest

from members.models import User
from tests.factories import UserFactory


def test_async_unsafe_orm_is_not_allowed_here():
    assert "DJANGO_ALLOW_ASYNC_UNSAFE" not in os.environ


def test_no_event_loop_is_running_in_the_main_thread():
    with pytest.raises(RuntimeError):
        asyncio.get_running_loop()


@pytest.mark.django_db(transaction=True)
def test_the_orm_works_with_the_check_in_place():
    UserFactory(email="after.the.browser@example.com")

    assert User.objects.filter(email="after.the.browser@example.com").count() == 1
