"""The development outbox: with DEBUG on and no mail server set, every email is kept here.

`outbox.backends.OutboxEmailBackend` stores each message whole (its MIME bytes) in the
database, so the web process, the worker and beat all write to one place; `/dev/outbox/`
lists them and shows each one's text, HTML and headers. It exists only with DEBUG on: with
DEBUG off every outbox address is a 404. Nothing here imports the rest of the site.
"""
