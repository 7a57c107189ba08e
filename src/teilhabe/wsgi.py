"""The WSGI application that ``teilhabe serve`` (gunicorn) runs in each worker."""

import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "teilhabe.settings")
application = get_wsgi_application()

#: The garbage collector's thresholds in a worker. A page frees nearly everything it allocates by
#: reference counting, yet with Python's default (700, 10, 10) the cycle collector still ran
#: about once every two requests and took some 1 % of the CPU; a full collection, rarer, walks
#: every object of Django. Less often costs a few MB (docs/benchmarks.md).
GC_THRESHOLDS = (20_000, 50, 100)
gc.set_threshold(*GC_THRESHOLDS)
# What the start-up made stays: the collector no longer walks it.
gc.freeze()
