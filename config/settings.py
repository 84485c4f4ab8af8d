"""Settings for the quote database: one module, every deployment difference from the environment.

Every variable read here is listed, with a comment, in `.env.example`.
"""

from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
# A local `.env` is a convenience for developers; real deployments set the environment.
if (BASE_DIR / ".env").is_file():
    env.read_env(BASE_DIR / ".env")

DEBUG = env.bool("DJANGO_DEBUG", default=True)

SECRET_KEY = env.str("DJANGO_SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY must be set when DJANGO_DEBUG is off. Generate one with: "
            "python -c 'import secrets; print(secrets.token_urlsafe(50))'"
        )
    SECRET_KEY = "django-insecure-local-development-key-never-use-in-production"

ALLOWED_HOSTS = env.list(
    "DJANGO_ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"] if DEBUG else []
)

INSTALLED_APPS = [
    # First: the shared machinery, and its template overrides (the offline ReDoc page).
    "core",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    # Before staticfiles, so that runserver leaves static files to WhiteNoise as in production.
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "drf_standardized_errors",
    "simple_history",
    "sources",
    "quotes",
    "extraction",
]

MIDDLEWARE = [
    "core.middleware.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # API request bodies: a chunked one is a 411, one over the limit a 413, before any is read.
    "core.middleware.LengthRequiredMiddleware",
    "core.middleware.RequestSizeLimitMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Records who made each change, for the admin and the API alike.
    "simple_history.middleware.HistoryRequestMiddleware",
]

ROOT_URLCONF = "config.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

WSGI_APPLICATION = "config.wsgi.application"

# Default: an SQLite file inside the project (git-ignored), so a newcomer needs nothing installed.
# Production: DATABASE_URL=postgres://user:password@host:5432/name
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
# Persistent connections with a health check before reuse: a database that went away and came
# back is reconnected to on the next request, without a restart.
# https://docs.djangoproject.com/en/5.2/ref/databases/#persistent-connections
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DJANGO_CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Caches hold the throttling counters. The default is per process; with several gunicorn
# workers, point CACHE_URL at a shared cache (redis://...) so that limits are global.
CACHES = {"default": env.cache("CACHE_URL", default="locmemcache://")}

# A failed CSRF check under /api/ answers in the API's error format.
CSRF_FAILURE_VIEW = "core.api.errors.csrf_failure"

# Largest request body accepted (bytes); larger API requests get a 413.
DATA_UPLOAD_MAX_MEMORY_SIZE = env.int("DJANGO_MAX_REQUEST_BYTES", default=1024 * 1024)

# Production hardening, on whenever debug is off; each can be turned off by environment (say,
# DJANGO_SECURE_SSL_REDIRECT=0 for a local Docker run over plain HTTP).
# https://docs.djangoproject.com/en/5.2/howto/deployment/checklist/
if not DEBUG:
    SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]  # load balancers probe over plain HTTP
    SECURE_HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", default=31_536_000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
    SECURE_HSTS_PRELOAD = env.bool("DJANGO_SECURE_HSTS_PRELOAD", default=True)
    SESSION_COOKIE_SECURE = env.bool("DJANGO_SECURE_COOKIES", default=True)
    CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE

# Behind a reverse proxy. By default nothing is trusted: the client address is REMOTE_ADDR
# and the scheme is the connection's. Behind N proxies that you control, set
# DJANGO_NUM_PROXIES=N: the client address (for throttling) is then taken from
# X-Forwarded-For, N hops from the right; and DJANGO_TRUST_X_FORWARDED_PROTO=1 makes
# "X-Forwarded-Proto: https" from the proxy mark requests as secure.
# 0, not DRF's default None: None would trust any X-Forwarded-For a client sends.
NUM_PROXIES = env.int("DJANGO_NUM_PROXIES", default=0)
if env.bool("DJANGO_TRUST_X_FORWARDED_PROTO", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # Compressed, but without a manifest: templates render even where collectstatic has not run.
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
# In development WhiteNoise serves straight from the apps' static folders; in production from
# STATIC_ROOT, filled by `collectstatic` (make run and the Docker image both run it).
WHITENOISE_USE_FINDERS = DEBUG

REST_FRAMEWORK = {
    "DEFAULT_VERSIONING_CLASS": "rest_framework.versioning.URLPathVersioning",
    "DEFAULT_VERSION": "v1",
    "ALLOWED_VERSIONS": ["v1"],
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["core.api.permissions.ResearcherPermissions"],
    "DEFAULT_PAGINATION_CLASS": "core.api.pagination.KeysetPagination",
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "core.api.filters.StrictOrderingFilter",
    ],
    "DEFAULT_RENDERER_CLASSES": [
        "drf_orjson_renderer.renderers.ORJSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
    "DEFAULT_PARSER_CLASSES": ["drf_orjson_renderer.parsers.ORJSONParser"],
    "DEFAULT_CONTENT_NEGOTIATION_CLASS": "core.api.negotiation.StrictContentNegotiation",
    "EXCEPTION_HANDLER": "drf_standardized_errors.handler.exception_handler",
    # Throttling: 429 with Retry-After past these rates (per client address, or per account).
    "DEFAULT_THROTTLE_CLASSES": [
        "rest_framework.throttling.AnonRateThrottle",
        "rest_framework.throttling.UserRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": env.str("DJANGO_THROTTLE_ANON", default="600/minute"),
        "user": env.str("DJANGO_THROTTLE_USER", default="1200/minute"),
    },
    "NUM_PROXIES": NUM_PROXIES,
    "DEFAULT_SCHEMA_CLASS": "core.api.schema.AutoSchema",
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}

# One error format for every 4xx and 5xx (https://drf-standardized-errors.readthedocs.io/).
DRF_STANDARDIZED_ERRORS = {
    "EXCEPTION_HANDLER_CLASS": "core.api.errors.ApiExceptionHandler",
    "ALLOWED_ERROR_STATUS_CODES": [
        "400",
        "401",
        "403",
        "404",
        "405",
        "406",
        "409",
        "411",
        "412",
        "413",
        "415",
        "429",
        "500",
        "503",
    ],
    "ERROR_SCHEMAS": {
        "409": "core.api.schema.ErrorResponse409Serializer",
        "411": "core.api.schema.ErrorResponse411Serializer",
        "412": "core.api.schema.ErrorResponse412Serializer",
        "413": "core.api.schema.ErrorResponse413Serializer",
        "503": "core.api.schema.ErrorResponse503Serializer",
    },
}

API_DESCRIPTION = """
Who said what, when, where, and where it is written: verbatim quotes on NATO–Russia relations,
each pinned to its exact character span in a source text, with the treaties and troop figures
they argue about, every fact cited the same way.

**Reading** needs no account. **Writing** needs a token (`Authorization: Token <key>`, from
`manage.py create_researcher`) or a session, and the permission to add or change (the
`researchers` group); publishing and unpublishing, the `editors` group and a `change_reason`
(kept in the history); deleting needs a staff account.

**Lists** are paginated by cursor: follow `next` and `previous`, or pass `next_cursor` or
`previous_cursor` back as `cursor`; `page_size` sets the page length (default 20, at most
100). `ordering` sorts (prefix `-` for descending).

**Errors** all have one shape, whatever the status:
`{"type": "validation_error" | "client_error" | "server_error",
"errors": [{"code": "...", "detail": "...", "attr": "field or null"}]}` (`ErrorResponse`);
each error response lists the codes it can carry in `x-error-codes`.

**Dates** that a text gives only in part carry a precision (`day`, `month`, `year`: a
year-precision date is stored as 1 January), an `inferred` flag and a note on how they were
worked out; `*_display` shows only the known parts.
"""

_ERRORS = "drf_standardized_errors.openapi_serializers"

SPECTACULAR_SETTINGS = {
    "TITLE": "Quote database API",
    "DESCRIPTION": API_DESCRIPTION.strip(),
    "VERSION": "1.0.0",
    "CONTACT": {"name": "The quote database's maintainers (see the README)"},
    "LICENSE": {"name": "MIT", "url": "https://opensource.org/licenses/MIT"},
    # In the order a user meets them: the quotes first, what they cite and argue about next,
    # the review queue of extracted candidates last.
    "TAGS": [
        {
            "name": "quotes",
            "description": "Verbatim statements, each attributed to a speaker, "
            "dated with its precision and pinned to an exact span of a source's text.",
        },
        {
            "name": "speakers",
            "description": "People and bodies who speak: names, aliases, "
            "roles, and how many quotes each has.",
        },
        {
            "name": "sources",
            "description": "The articles and documents quoted, with their full "
            "text; import a new article here.",
        },
        {
            "name": "treaties",
            "description": "The treaties the statements argue about: parties, "
            "signatories, provisions and status changes, each fact cited.",
        },
        {
            "name": "troop-figures",
            "description": "Troop numbers as a source states them: who, "
            "where, how many, when, cited.",
        },
        {
            "name": "events",
            "description": "Summits, conferences, briefings, speeches and other occasions on "
            "which things were said.",
        },
        {
            "name": "organizations",
            "description": "Alliances, governments, ministries and parties that "
            "speakers belong to and treaties bind.",
        },
        {"name": "outlets", "description": "The publishers of sources."},
        {
            "name": "quote-candidates",
            "description": "Quotes found by the extractor in imported "
            "sources, awaiting a researcher's decision: accept (a draft quote) or reject.",
        },
        {
            "name": "troop-figure-candidates",
            "description": "Troop figures found by the "
            "extractor, awaiting a researcher's decision.",
        },
    ],
    "SERVE_INCLUDE_SCHEMA": False,
    # Swagger UI and ReDoc assets come from drf-spectacular-sidecar, served by us: no CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Separate request and response components: generated SDKs then type writes (ids) and
    # reads (nested objects) correctly.
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "ENUM_NAME_OVERRIDES": {
        "DatePrecisionEnum": "core.dates.DatePrecision",
        "QuoteKindEnum": "quotes.choices.QuoteKind",
        "SpeakerKindEnum": "quotes.choices.SpeakerKind",
        "EventKindEnum": "quotes.choices.EventKind",
        "OrganizationKindEnum": "quotes.choices.OrganizationKind",
        "TreatyStatusKindEnum": "quotes.choices.TreatyStatusKind",
        "ReviewStatusEnum": "core.review.ReviewStatus",
        "CandidateStatusEnum": "extraction.models.CandidateStatus",
        "HistoryTypeEnum": "core.history.HistoryType",
        "ValidationErrorEnum": f"{_ERRORS}.ValidationErrorEnum.choices",
        "ClientErrorEnum": f"{_ERRORS}.ClientErrorEnum.choices",
        "ServerErrorEnum": f"{_ERRORS}.ServerErrorEnum.choices",
        "ErrorCode401Enum": f"{_ERRORS}.ErrorCode401Enum.choices",
        "ErrorCode403Enum": f"{_ERRORS}.ErrorCode403Enum.choices",
        "ErrorCode404Enum": f"{_ERRORS}.ErrorCode404Enum.choices",
        "ErrorCode405Enum": f"{_ERRORS}.ErrorCode405Enum.choices",
        "ErrorCode406Enum": f"{_ERRORS}.ErrorCode406Enum.choices",
        "ErrorCode415Enum": f"{_ERRORS}.ErrorCode415Enum.choices",
        "ErrorCode429Enum": f"{_ERRORS}.ErrorCode429Enum.choices",
        "ErrorCode500Enum": f"{_ERRORS}.ErrorCode500Enum.choices",
        "ErrorCode409Enum": "core.api.schema.ErrorCode409Enum.choices",
        "ErrorCode411Enum": "core.api.schema.ErrorCode411Enum.choices",
        "ErrorCode412Enum": "core.api.schema.ErrorCode412Enum.choices",
        "ErrorCode413Enum": "core.api.schema.ErrorCode413Enum.choices",
        "ErrorCode503Enum": "core.api.schema.ErrorCode503Enum.choices",
    },
    "POSTPROCESSING_HOOKS": [
        "drf_standardized_errors.openapi_hooks.postprocess_schema_enums",
        "core.api.schema.postprocess_shared_errors",
        "core.api.schema.postprocess_generator_types",
        "core.api.schema.postprocess_query_strings",
        "core.api.schema.postprocess_version",
    ],
    # Paths are absolute (/api/v1/...): a client is pointed at the host that serves them.
    "SERVERS": [{"url": "/", "description": "The server that serves this schema."}],
}

# Structured logs: one JSON object per line on stderr, each with the request's X-Request-ID.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "core.middleware.RequestIdLogFilter"}},
    "formatters": {
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "format": "%(asctime)s %(levelname)s %(name)s %(message)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        },
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "json",
            "filters": ["request_id"],
        }
    },
    "root": {"handlers": ["console"], "level": env.str("DJANGO_LOG_LEVEL", default="INFO")},
    "loggers": {
        # The access log above replaces Django's own request lines.
        "django.server": {"level": "WARNING"},
    },
}
