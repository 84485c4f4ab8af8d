"""WSGI entry point (gunicorn config.wsgi)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

application = get_wsgi_application()

# CPython's garbage collector keeps its default thresholds. A tuning (gc.freeze() and
# gc.set_threshold(50_000, 20, 100)) was measured again for #16 and did not pay: no CPU
# gain above the noise on a detail or a page of 20 (in one process, batches alternated),
# while garbage left for the rarer older-generation collections held about 25 MB more per
# process, and 100 MB more per bench worker (docs/performance.md).
