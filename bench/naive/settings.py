"""Settings of contender C: the project's own (same apps, models, middleware, database, logging),
with the API replaced by bench.naive.urls and DRF left at its defaults, plus the page-number
pagination a typical project turns on.
"""

from config.settings import *  # noqa: F403

ROOT_URLCONF = "bench.naive.urls"

# DRF's defaults (JSONRenderer and the browsable API, session and basic authentication, no
# throttling), with page-number pagination that counts the rows, as most projects configure it.
REST_FRAMEWORK = {
    "DEFAULT_PAGINATION_CLASS": "bench.naive.pagination.PageNumberPagination",
    "PAGE_SIZE": 20,
}
