"""Demo payments: a small stand-in for Stripe, for `make run` (DEBUG on, no Stripe keys).

With DEBUG on and STRIPE_SECRET_KEY unset the site still talks to "Stripe" through the
real SDK and the same code as in production (members/stripe_client.py, members/services/):
the SDK's HTTP client is swapped for one that answers in-process from this app
(demostripe/api.py), with customers, subscriptions and sessions kept in the database so
that web, worker and beat all see them. Its Checkout and Customer Portal pages
(demostripe/views.py) change what "Stripe" holds and send the events Stripe would
(demostripe/services.py) to the site's webhook service, which records them and re-fetches
the subscription, exactly as for a real webhook.

It sits below members and knows nothing of it: members tells it which prices exist and
where events go (members/demo_payments.py). With real keys, or DEBUG off, it does not
exist: the SDK talks to Stripe and every page here is a 404.
"""
