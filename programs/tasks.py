"""Celery tasks for the Program: thin wrappers around its services."""

from celery import shared_task

from . import reminders


@shared_task
def send_checkin_reminders() -> int:
    return reminders.checkin_reminders_send()
