"""Settings for the quote database: one module, every deployment difference from the environment.

Every variable read here is listed, with a comment, in `.env.example`.
"""

import datetime
from pathlib import Path

import environ
from csp.constants import NONE, SELF, UNSAFE_INLINE
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
    "csp",
    "axes",
    "sources",
    "quotes",
    "extraction",
]

MIDDLEWARE = [
    "core.middleware.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Reads that may go to a replica, and those that must not (core.replicas).
    "core.replicas.PrimaryForWritesMiddleware",
    # API request bodies: a chunked one is a 411, one over the limit a 413, before any is read.
    "core.middleware.LengthRequiredMiddleware",
    "core.middleware.RequestSizeLimitMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Anonymous API reads answered from the shared cache, exactly invalidated (core.cache).
    "core.cache.ResponseCacheMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    # Records who made each change, for the admin and the API alike.
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as django-axes requires: admin logins locked out after repeated failures.
    "axes.middleware.AxesMiddleware",
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
# Read replicas (PostgreSQL hot standbys): reads go to them, writes and the reads of a request
# that writes go to the primary, and no read sees a replica that has not replayed the latest
# committed write (core.replicas). A replica that is down is skipped.
REPLICA_DATABASES = []
for number, url in enumerate(env.list("DATABASE_REPLICA_URLS", default=[]), start=1):
    alias = f"replica{number}"
    DATABASES[alias] = env.db_url_config(url)
    # A replica that does not answer is given up on in seconds, not after TCP's two minutes
    # (unless its URL says otherwise: ?connect_timeout=N).
    DATABASES[alias].setdefault("OPTIONS", {}).setdefault("connect_timeout", 2)
    # Tests that use a replica start one of their own (tests/core/test_replicas.py).
    DATABASES[alias]["TEST"] = {"MIRROR": "default"}
    REPLICA_DATABASES.append(alias)
if REPLICA_DATABASES:
    DATABASE_ROUTERS = ["core.replicas.ReplicaRouter"]
for database in DATABASES.values():
    # Persistent connections with a health check before reuse: a database that went away and
    # came back is reconnected to on the next request, without a restart.
    # https://docs.djangoproject.com/en/5.2/ref/databases/#persistent-connections
    database["CONN_MAX_AGE"] = env.int("DJANGO_CONN_MAX_AGE", default=60)
    database["CONN_HEALTH_CHECKS"] = True
    if database["ENGINE"] == "django.db.backends.postgresql" and env.bool(
        "DJANGO_DB_TRANSACTION_POOLING", default=False
    ):
        # Behind PgBouncer in transaction pooling mode, each transaction may get another server
        # connection: no server-side cursor (iterator() would lose it between fetches) and no
        # prepared statement (PgBouncer before 1.21, Debian 12's 1.18 among them, cannot track
        # them) survives (docs/deploy.md).
        database["DISABLE_SERVER_SIDE_CURSORS"] = True
        database.setdefault("OPTIONS", {})["prepare_threshold"] = None
    if database["ENGINE"] == "django.db.backends.sqlite3":
        # The embedded default under concurrent writers (several threads or workers): WAL lets
        # readers and one writer work at once; IMMEDIATE takes the write lock when a transaction
        # begins, so a writer waits its turn (up to `timeout` seconds) instead of failing with
        # "database is locked" when it upgrades a read lock; and If-Match is then checked by
        # one writer at a time, so the loser of a race gets its 412, as on PostgreSQL.
        database.setdefault("OPTIONS", {}).update(
            {
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            }
        )

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# The cache holds the throttling counters and, when it is shared, the cached API responses
# (core.cache). Default: per-process memory, for `make run` with nothing but Python. With
# several app servers or workers, set REDIS_URL: limits then hold across all of them.
REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        "default": {
            # django-redis rather than Django's RedisCache for IGNORE_EXCEPTIONS: with Redis
            # down, a cache read misses and a write is dropped, so the API serves uncached (and
            # throttling is off) until Redis is back, instead of answering 500s.
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "quotedb",
            "OPTIONS": {
                "IGNORE_EXCEPTIONS": True,
                # On a LAN a Redis that is down answers at once; one that is unreachable must
                # not hold a request up for long either.
                "SOCKET_CONNECT_TIMEOUT": env.float("REDIS_CONNECT_TIMEOUT", default=0.25),
                "SOCKET_TIMEOUT": env.float("REDIS_TIMEOUT", default=0.25),
            },
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Each cache call that fails while Redis is down is logged (django-redis's own switch): a
# warning with its traceback, several per request during an outage.
DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS = True

# Anonymous API reads from the cache (core.cache): on by default with a shared cache only. On
# per-process memory, a write seen by one worker would not invalidate another's copies; turn
# it on there (DJANGO_RESPONSE_CACHE=1) only for a single process, as `make run` is.
RESPONSE_CACHE = env.bool("DJANGO_RESPONSE_CACHE", default=bool(REDIS_URL))
# How long an answer is kept (seconds). Every committed write invalidates the cached answers
# at once; this only bounds the memory they take.
RESPONSE_CACHE_SECONDS = env.int("DJANGO_RESPONSE_CACHE_SECONDS", default=300)

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

# Admin login brute force (django-axes): after DJANGO_LOGIN_FAILURE_LIMIT failed logins for a
# username from one address, that pair is locked out for DJANGO_LOGIN_COOLOFF_MINUTES; staff
# unlock it sooner in the admin (Axes › Access attempts) or with `manage.py axes_reset_username`.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env.int("DJANGO_LOGIN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = datetime.timedelta(minutes=env.int("DJANGO_LOGIN_COOLOFF_MINUTES", default=30))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False  # no banner on every start; lockouts are still logged
# The 429 page: says why, for how long, and that staff can unlock (core/templates/admin).
AXES_LOCKOUT_TEMPLATE = "admin/lockout.html"
# The client address as the API's throttles read it (DJANGO_NUM_PROXIES, above): behind a
# proxy, the client's, not the proxy's (one rule for both: core.api.authentication).
AXES_CLIENT_IP_CALLABLE = "core.api.authentication.client_address"

# A Content-Security-Policy on every HTML page (django-csp): no inline script anywhere, no
# resource from another origin (the docs' assets are ours, drf-spectacular-sidecar). Extending
# it: docs/security.md. https://django-csp.readthedocs.io/en/latest/configuration.html
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        # Our pages' scripts are static files (the Swagger UI start-up script from docs/?script=,
        # ReDoc's from core/static): no nonce, no 'unsafe-inline', no 'unsafe-eval'.
        "script-src": [SELF],
        # Inline styles are allowed, scripts never. Nonces cannot do it: the admin's widgets, the
        # browsable API's templates and Swagger UI write style="..." attributes, which a nonce
        # does not cover, and ReDoc inserts <style> elements at run time without one (a nonce
        # in style-src would also make browsers ignore 'unsafe-inline'). A style runs no code;
        # what CSS could still do, send page data out through url(...), is cut by img-src,
        # font-src and connect-src allowing this origin only. Our own templates use stylesheets.
        "style-src": [SELF, UNSAFE_INLINE],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        # ReDoc's search runs in a worker it makes from a blob: URL of its own script.
        "worker-src": [SELF, "blob:"],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

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
        # DRF's token authentication, with failed attempts throttled per client address.
        "core.api.authentication.ThrottledTokenAuthentication",
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
        # The browsable API (HTML), in development; in production only when asked for.
        *(
            ["rest_framework.renderers.BrowsableAPIRenderer"]
            if env.bool("DJANGO_BROWSABLE_API", default=DEBUG)
            else []
        ),
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
        # Failed token authentications, per client address (core.api.authentication).
        "auth_failure": env.str("DJANGO_THROTTLE_AUTH_FAILURES", default="30/minute"),
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
            "name": "statements",
            "description": "What a speaker said, recorded once: its appearances are the quotes "
            "that report it, first appearance first (schema.org's Claim).",
        },
        {
            "name": "speakers",
            "description": "People and bodies who speak: names, aliases, "
            "roles, and how many quotes and statements each has.",
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
        {
            "name": "statement-suggestions",
            "description": "Quotes that may repeat what another quote of their speaker says, "
            "awaiting a researcher's decision: confirm (a statement) or dismiss.",
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
        "SuggestionStatusEnum": "quotes.models.statements.SuggestionStatus",
        "SuggestionMethodEnum": "quotes.models.statements.SuggestionMethod",
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
