import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backinshape.settings")

application = get_wsgi_application()

# gunicorn runs no system check: a cache each worker keeps to itself stops it here.
from backinshape.checks import refuse_to_serve_without_a_shared_cache  # noqa: E402

refuse_to_serve_without_a_shared_cache()
