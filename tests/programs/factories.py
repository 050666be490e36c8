"""Factories for the Program's member records (catalogue rows come from program_load_demo)."""

import datetime as dt

import factory

from programs.models import CheckIn, SessionLog, Unlock, UnlockMethod


class SessionLogFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SessionLog

    date = factory.LazyFunction(dt.date.today)
    done = "yes"
    pain_before = 2
    worst_pain = 2
    effort = 5


class CheckInFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CheckIn

    session = factory.SubFactory(SessionLogFactory)
    pain = "same"
    stiffness = "same"


class UnlockFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Unlock

    method = UnlockMethod.RULE
    reason = "Set up by a test."
