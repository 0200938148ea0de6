"""Settings of the eParticipation manual service.

Everything an operator may change comes from the environment through ``site_config.env``; see the
table in README.md. There is one settings module for every environment: development, tests and
production differ only by environment variables (tests add a few speed-ups in tests/settings.py).
"""

from datetime import timedelta
from pathlib import Path
from typing import Any

from django.conf.locale import LANG_INFO
from django.utils.translation import gettext_lazy as _

from site_config import csp as csp_policies
from site_config.env import (
    Env,
    database_config,
    map_tiles,
    object_storages,
    redis_url,
    secret_key_weakness,
    url_origin,
)

BASE_DIR = Path(__file__).resolve().parent.parent
env = Env()

VAR_DIR = env.path("VAR_DIR", BASE_DIR / "var")

DEBUG = env.bool("DEBUG", False)
# scripts/run.sh generates VAR_DIR/secret_key once; reading it here gives every process of the
# install (gunicorn, manage.py commands, db_worker) the same key without exporting it.
SECRET_KEY_FILE = VAR_DIR / "secret_key"
SECRET_KEY = env.secret("SECRET_KEY", SECRET_KEY_FILE)
if not SECRET_KEY:
    if not DEBUG:
        raise env.fail(
            "SECRET_KEY",
            f"required when DEBUG is off: set it, or keep one in {SECRET_KEY_FILE} (make run generates it; "
            "VAR_DIR must name the same folder as for the service)",
        )
    SECRET_KEY = "insecure-development-only-key-set-SECRET_KEY-in-production"
elif not DEBUG and (weakness := secret_key_weakness(SECRET_KEY)):
    # Too short, a placeholder, few distinct characters, a repeated pattern or low entropy: a key
    # anyone could guess signs sessions, status and edit links and preview tokens.
    raise env.fail("SECRET_KEY", weakness)

HOST = env.str("HOST", "127.0.0.1")
PORT = env.int("PORT", 8000, minimum=1, maximum=65535)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"])
BASE_URL = env.url("BASE_URL", {"http", "https"}, f"http://{HOST}:{PORT}").rstrip("/")
WAGTAILADMIN_BASE_URL = BASE_URL

# Secure by default; `make run` serves plain HTTP on loopback and turns this off explicitly.
SECURE_HTTPS = env.bool("SECURE_HTTPS", not DEBUG)
if SECURE_HTTPS:
    SECURE_SSL_REDIRECT = True
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", 31536000, minimum=0)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
if env.bool("USE_X_FORWARDED_PROTO", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", [])
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
# Wagtail marks its preview views SAMEORIGIN itself, so everything else can refuse framing.
X_FRAME_OPTIONS = "DENY"
# Content-Security-Policy (django-csp, site_config.csp): reader pages load nothing but this site's
# files and run no inline code; the Wagtail admin needs inline scripts and styles and gets its own,
# looser policy. Set after HEADLESS_PREVIEW_CLIENT_URL below (the admin frames that front end).

CORS_ALLOWED_ORIGINS = env.list("CORS_ALLOWED_ORIGINS", [])
for origin in CORS_ALLOWED_ORIGINS:
    if not origin.startswith(("http://", "https://")) or origin.endswith("/"):
        raise env.fail("CORS_ALLOWED_ORIGINS", f"{origin!r} must look like https://example.org (no path)")
CORS_URLS_REGEX = r"^/api/.*$"
CORS_EXPOSE_HEADERS = ["ETag"]

INSTALLED_APPS = [
    # The shell itself, for its commands only: `manage.py nginx_conf` and `varnish_vcl` render site_config/nginx/
    # and site_config/varnish/.
    "site_config",
    "manual",
    "submissions",
    "search",
    "opendata",
    "wagtail_localize",
    "wagtail_localize.locales",
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.settings",
    "wagtail.contrib.simple_translation",
    "wagtail.contrib.sitemaps",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "django_countries",
    "django_tasks",
    "django_tasks_db",
    "ninja",
    "corsheaders",
    "csp",
    "axes",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
]
# simple_translation is not wanted next to wagtail-localize: both add "Translate" actions.
INSTALLED_APPS.remove("wagtail.contrib.simple_translation")

MIDDLEWARE = [
    # Outermost, so that even an error of another middleware reaches an API client as JSON.
    "site_config.api_fallback.ApiErrorMiddleware",
    "site_config.middleware.RequestLogMiddleware",
    # Before anything reads a body: 413 by Content-Length, chunked bodies cut at the limit.
    "site_config.body_limits.RequestBodyLimitMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "site_config.csp.PathPolicyCSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # The request's Wagtail site, found once with SQL compiled once (core.sites).
    "core.sites.SiteMiddleware",
    "corsheaders.middleware.CorsMiddleware",
    "site_config.middleware.ApiCacheMiddleware",
    # Outside the session and CSRF middleware: sees the cookies and Vary they add (site_config.frontend_cache).
    "site_config.frontend_cache.CacheControlMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "site_config.middleware.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
    # Last (django-axes' rule): turns a sign-in refused for a locked account or address into the
    # lockout page (site_config.login_lockout).
    "axes.middleware.AxesMiddleware",
]

# --- Sign-in throttling (django-axes) ---
# The admin's sign-in (/admin/login/) is locked per account and, separately, per address after
# ADMIN_LOGIN_FAILURE_LIMIT failed attempts within the cool-off; the lock lifts after
# ADMIN_LOGIN_COOLOFF_MINUTES without a new failure. axes only counts failures: a successful
# sign-in or force_login is not affected. Attempts are kept in axes' tables (AccessAttempt).
AUTHENTICATION_BACKENDS = [
    # First: refuses before any password is checked when the account or address is locked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env.int("ADMIN_LOGIN_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("ADMIN_LOGIN_COOLOFF_MINUTES", 15, minimum=1))
# Two separate counters, either of which locks: one account guessed at from many addresses, and
# one address guessing at many accounts.
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
# The client address as the submission rate limit reads it (SUBMISSIONS_TRUSTED_PROXIES), an IPv6
# client counted per /64; not django-ipware's guess from headers the client may write.
AXES_CLIENT_IP_CALLABLE = "core.ratelimit.client_block_address"
AXES_LOCKOUT_CALLABLE = "site_config.login_lockout.lockout_response"
AXES_HTTP_RESPONSE_CODE = 429
# A failure during the lockout starts the cool-off again (axes' default, said here as a promise).
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = True
AXES_VERBOSE = False  # axes' banner at start-up; failures are still logged

ROOT_URLCONF = "site_config.urls"
WSGI_APPLICATION = "site_config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
            ],
        },
    },
]

DATABASES = {"default": database_config(env, VAR_DIR / "manual.sqlite3")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Languages: MANUAL_LOCALES decides which content locales exist; the first one is the source
# language of the manual. Locale rows follow this list at every start (manual.services.locales).
MANUAL_LOCALES = env.locales("MANUAL_LOCALES", ["en", "ru"])
for code in MANUAL_LOCALES:
    if code not in LANG_INFO:
        raise env.fail("MANUAL_LOCALES", f"{code!r} is not a language Django knows")
LANGUAGE_CODE = MANUAL_LOCALES[0]
LANGUAGES = [(code, LANG_INFO[code]["name_local"]) for code in MANUAL_LOCALES]
WAGTAIL_CONTENT_LANGUAGES = LANGUAGES
WAGTAIL_I18N_ENABLED = True
# The admin's interface languages follow the content locales, so a translator of a new locale can
# work in it (Wagtail ships admin catalogues for the EU languages; the rest shows English).
WAGTAILADMIN_PERMITTED_LANGUAGES = LANGUAGES
USE_I18N = True
# Number separators Django's locale modules get wrong for the manual (site_config/formats).
FORMAT_MODULE_PATH = ["site_config.formats"]
USE_TZ = True
TIME_ZONE = "UTC"
LOCALE_PATHS = [BASE_DIR / "locale"]

# wagtail-localize: see DESIGN.md "Known traps". A live source page submitted for translation must
# not produce a live copy in the source language.
WAGTAILLOCALIZE_SYNC_LIVE_STATUS_ON_TRANSLATE = False
WAGTAILLOCALIZE_DISABLE_ON_DELETE = True

STATIC_URL = "/static/"
STATIC_ROOT = env.path("STATIC_ROOT", VAR_DIR / "static")
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", VAR_DIR / "media")
# Media is served by the app in the embedded default; put a web server in front in production.
SERVE_MEDIA = env.bool("SERVE_MEDIA", True)
# Values of two shapes: the backend alone, or with its OPTIONS (the private submissions storage below).
STORAGES: dict[str, dict[str, Any]] = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
DATA_UPLOAD_MAX_NUMBER_FIELDS = 10_000
# Request bodies (site_config/body_limits.py, docs/operations.md "Threats and limits"). Form fields
# other than files are held in memory: at most DATA_UPLOAD_MAX_MEMORY_SIZE (Django's 2.5 MB), which is
# also the whole-body limit of the small forms (accessibility feedback, search, login). File parts
# go to a temporary file past FILE_UPLOAD_MAX_MEMORY_SIZE, so a big upload never sits in memory whole.
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
FILE_UPLOAD_MAX_MEMORY_SIZE = 256 * 1024
FILE_UPLOAD_HANDLERS = [
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]
API_MAX_BODY_BYTES = 1024 * 1024

WAGTAIL_SITE_NAME = _("PanEuropean Best Practice Manual on eParticipation")
WAGTAILDOCS_EXTENSIONS = ["csv", "docx", "odt", "pdf", "pptx", "xlsx"]
WAGTAILDOCS_MAX_UPLOAD_SIZE = 10 * 1024 * 1024
# Pixel budget of every image: uploads to the admin (Wagtail), submissions and Pillow itself (set to
# this in SubmissionsConfig.ready: Pillow warns above it and refuses above twice it, everywhere).
WAGTAILIMAGES_MAX_IMAGE_PIXELS = env.int("SUBMISSIONS_MAX_IMAGE_PIXELS", 40_000_000, minimum=1_000_000)
WAGTAILIMAGES_MAX_UPLOAD_SIZE = 10 * 1024 * 1024
# The admin's largest body: one image or document upload with the form's other fields.
ADMIN_MAX_REQUEST_BYTES = max(WAGTAILDOCS_MAX_UPLOAD_SIZE, WAGTAILIMAGES_MAX_UPLOAD_SIZE) + DATA_UPLOAD_MAX_MEMORY_SIZE
WAGTAIL_ALLOW_UNICODE_SLUGS = False
WAGTAIL_MODERATION_ENABLED = True
WAGTAIL_WORKFLOW_ENABLED = True
# The admin's own page search stays on Wagtail's database backend whatever SEARCH_URL says: it keeps
# working while the engine is down, and the manual's index (search app) is a separate concern.
# Options of several types: URLS is a list, TIMEOUT a number (bench/settings.py sets both).
WAGTAILSEARCH_BACKENDS: dict[str, dict[str, Any]] = {"default": {"BACKEND": "wagtail.search.backends.database"}}
WAGTAILEMBEDS_RESPONSIVE_HTML = True
# No Gravatar in the admin: avatars would be third-party images (outside the admin's CSP) that tell
# Gravatar which editor is working; Wagtail shows its default avatar or an uploaded one instead.
WAGTAIL_GRAVATAR_PROVIDER_URL = None

# Search engine of the manual's own index (search app); empty = database driver.
SEARCH_URL = env.url("SEARCH_URL", {"http", "https"})
SEARCH_ENGINE = env.str("SEARCH_ENGINE", "auto")
if SEARCH_ENGINE not in {"auto", "opensearch", "elasticsearch"}:
    raise env.fail("SEARCH_ENGINE", f"expected auto, opensearch or elasticsearch, got {SEARCH_ENGINE!r}")
SEARCH_INDEX_PREFIX = env.str("SEARCH_INDEX_PREFIX", "manual")
# Primary shards of each new index, and replica copies of each shard. Empty replicas: decided when an
# index is created by asking the cluster, 1 with more than one data node (a lost node loses no
# data), else 0 (a lone node can never place a replica). docs/operations.md "Search cluster".
SEARCH_INDEX_SHARDS = env.int("SEARCH_INDEX_SHARDS", 1, minimum=1, maximum=64)
SEARCH_INDEX_REPLICAS: int | None = (
    env.int("SEARCH_INDEX_REPLICAS", 0, minimum=0, maximum=16) if env.str("SEARCH_INDEX_REPLICAS") else None
)
# Seconds a search waits for the engine before answering from the database (marked degraded).
SEARCH_TIMEOUT = env.int("SEARCH_TIMEOUT_MS", 500, minimum=50, maximum=30_000) / 1000
# Seconds a search answer stays in the "search" cache (0 = no answer cache). Any change of the index
# makes every cached answer stale at once (search.services "answer cache"); this is only a ceiling.
SEARCH_CACHE_SECONDS = env.int("SEARCH_CACHE_SECONDS", 300, minimum=0, maximum=86_400)

# Tasks: immediate in the embedded default; a database queue with `manage.py db_worker` in production.
TASKS_BACKEND = env.str("TASKS_BACKEND", "immediate")
if TASKS_BACKEND == "immediate":
    TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
elif TASKS_BACKEND == "database":
    TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
else:
    raise env.fail("TASKS_BACKEND", f"expected immediate or database, got {TASKS_BACKEND!r}")
# A task whose worker died is run again (core.task_leases, docs/operations.md "Workers"): every
# worker looks for such tasks this often (seconds), leaves alone those claimed less than the grace
# ago (the claim commits just before the lease is taken), and fails a task that lost this many workers.
TASKS_RECOVERY_INTERVAL = env.int("TASKS_RECOVERY_INTERVAL", 10, minimum=1, maximum=3600)
TASKS_LEASE_GRACE_SECONDS = env.int("TASKS_LEASE_GRACE_SECONDS", 30, minimum=1, maximum=3600)
TASKS_MAX_ATTEMPTS = env.int("TASKS_MAX_ATTEMPTS", 3, minimum=1, maximum=100)

# E-mail: SMTP when EMAIL_HOST is set, else printed to the log (development).
EMAIL_HOST = env.str("EMAIL_HOST")
EMAIL_BACKEND = (
    "django.core.mail.backends.smtp.EmailBackend" if EMAIL_HOST else "django.core.mail.backends.console.EmailBackend"
)
EMAIL_PORT = env.int("EMAIL_PORT", 587, minimum=1, maximum=65535)
EMAIL_HOST_USER = env.str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env.str("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", EMAIL_PORT == 587)
EMAIL_USE_SSL = env.bool("EMAIL_USE_SSL", EMAIL_PORT == 465)
if EMAIL_USE_TLS and EMAIL_USE_SSL:
    raise env.fail("EMAIL_USE_SSL", "EMAIL_USE_TLS and EMAIL_USE_SSL cannot both be on")
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", "manual@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
WAGTAILADMIN_NOTIFICATION_FROM_EMAIL = DEFAULT_FROM_EMAIL

LOG_LEVEL = env.str("LOG_LEVEL", "INFO").upper()
if LOG_LEVEL not in {"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"}:
    raise env.fail("LOG_LEVEL", f"expected DEBUG, INFO, WARNING, ERROR or CRITICAL, got {LOG_LEVEL!r}")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": {"()": "site_config.logging.JsonFormatter"}},
    # Secret tokens of URLs never reach a log line (site_config.redaction).
    "filters": {"redact": {"()": "site_config.redaction.RedactFilter"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "json", "filters": ["redact"]}},
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        "django.request": {"level": "ERROR"},
        "django.server": {"level": "WARNING"},
    },
}

# Error reports (debug page, mailed reports) hide the secret tokens of URLs as well.
DEFAULT_EXCEPTION_REPORTER = "site_config.error_reports.RedactingExceptionReporter"
DEFAULT_EXCEPTION_REPORTER_FILTER = "site_config.error_reports.RedactingExceptionReporterFilter"

# The manual's public API caches for a short while; ETags make revalidation cheap.
API_CACHE_MAX_AGE = env.int("API_CACHE_MAX_AGE", 60, minimum=0)

# --- HTTP cache in front (docs/operations.md "HTTP cache") ---
# Where Wagtail's frontend cache sends its purges: Varnish's purge listener (scripts/serve.sh with
# HTTP_CACHE=varnish sets it). Empty: no cache, no purge, and reader pages carry no Cache-Control.
FRONTEND_CACHE_URL = env.url("FRONTEND_CACHE_URL", {"http", "https"})
# Seconds a shared cache keeps a reader page (s-maxage): the bound on staleness should a purge be lost.
FRONTEND_CACHE_SECONDS = env.int("FRONTEND_CACHE_SECONDS", 600, minimum=1, maximum=86_400)
# Seconds a purge waits for the cache to connect and answer; a publication never waits longer.
FRONTEND_CACHE_TIMEOUT = env.int("FRONTEND_CACHE_TIMEOUT_MS", 1000, minimum=50, maximum=10_000) / 1000
WAGTAILFRONTENDCACHE: dict[str, dict[str, Any]] = (
    {
        "varnish": {
            "BACKEND": "core.frontend_cache.VarnishBackend",
            "LOCATION": FRONTEND_CACHE_URL,
            "TIMEOUT": FRONTEND_CACHE_TIMEOUT,
        }
    }
    if FRONTEND_CACHE_URL
    else {}
)
# Translations are purged by their own URLs (manual.services.frontend_cache), not by swapping the
# language prefix of one URL, which names no page when the slugs differ.
WAGTAILFRONTENDCACHE_LANGUAGES: list[str] = []

# --- Submissions ---
# Case submissions from practitioners (submissions app, docs/submissions.md).
# Rate limit: submissions (attempts) per client and hour; 0 turns it off (benchmarks).
SUBMISSIONS_RATE_LIMIT = env.int("SUBMISSIONS_RATE_LIMIT", 5, minimum=0)
# How many reverse proxies in front of gunicorn append to X-Forwarded-For; 0 = use REMOTE_ADDR.
SUBMISSIONS_TRUSTED_PROXIES = env.int("SUBMISSIONS_TRUSTED_PROXIES", 0, minimum=0, maximum=10)
# Licence a submitter grants when they choose none (a manual.models.Licence value; checked at start).
SUBMISSIONS_DEFAULT_LICENCE = env.str("SUBMISSIONS_DEFAULT_LICENCE", "CC-BY-4.0")
# Version of the consent text the submitter agreed to; stored with each consent.
SUBMISSIONS_CONSENT_VERSION = env.str("SUBMISSIONS_CONSENT_VERSION", "2025-01")
SUBMISSIONS_PRIVATE_ROOT = env.path("SUBMISSIONS_PRIVATE_ROOT", VAR_DIR / "private" / "submissions")
# Wagtail images, renditions and documents of submissions not yet published: outside MEDIA_ROOT so
# nothing serves them publicly (submissions.storage.MediaStorage, docs/submissions.md "Files in review").
SUBMISSIONS_UNPUBLISHED_MEDIA_ROOT = env.path(
    "SUBMISSIONS_UNPUBLISHED_MEDIA_ROOT", VAR_DIR / "private" / "unpublished-media"
)
for _name, _private in (
    ("SUBMISSIONS_PRIVATE_ROOT", SUBMISSIONS_PRIVATE_ROOT),
    ("SUBMISSIONS_UNPUBLISHED_MEDIA_ROOT", SUBMISSIONS_UNPUBLISHED_MEDIA_ROOT),
):
    for _public in (MEDIA_ROOT, STATIC_ROOT):
        if _public in (_private, *_private.parents):
            raise env.fail(_name, f"must not be inside {_public}: that folder is served publicly")
del _name, _private, _public
SUBMISSIONS_MAX_FILES = 10
SUBMISSIONS_MAX_FILE_BYTES = 10 * 1024 * 1024
SUBMISSIONS_MAX_TOTAL_BYTES = 25 * 1024 * 1024
SUBMISSIONS_MAX_JSON_BYTES = 1024 * 1024
# A multipart request may carry the files, the JSON document and the multipart framing; more is a 413.
SUBMISSIONS_MAX_REQUEST_BYTES = SUBMISSIONS_MAX_TOTAL_BYTES + SUBMISSIONS_MAX_JSON_BYTES + 256 * 1024
SUBMISSIONS_MAX_IMAGE_PIXELS = WAGTAILIMAGES_MAX_IMAGE_PIXELS
# Bound on the declared unpacked size of a .docx/.odt (zip bombs are refused).
SUBMISSIONS_MAX_UNPACKED_BYTES = 100 * 1024 * 1024
# The body Word document (body_docx) is parsed by mammoth: about 1.5 s of CPU and 30 MB per MB of its
# word/document.xml. The body holds at most 7 × 20 000 characters, which Word writes in well under
# this; a bigger text part is refused before parsing (docs/operations.md "Threats and limits").
SUBMISSIONS_MAX_DOCX_TEXT_BYTES = 1024 * 1024
# Budget of the costly work that remains on a checked file (re-encoding an image, mammoth on the body
# Word document), each run in a child process (submissions.services.sandbox): CPU seconds and memory
# over what the worker maps already. A 40 MP image needs about 1 s and 250 MB.
SUBMISSIONS_IMAGE_CPU_SECONDS = env.int("SUBMISSIONS_IMAGE_CPU_SECONDS", 20, minimum=1)
SUBMISSIONS_IMAGE_MEMORY_BYTES = env.int("SUBMISSIONS_IMAGE_MEMORY_MB", 768, minimum=64) * 1024 * 1024
SUBMISSIONS_DOCX_CPU_SECONDS = 5
SUBMISSIONS_DOCX_MEMORY_BYTES = 256 * 1024 * 1024
# Where files live: on local disk (the embedded default: MEDIA_ROOT and the two private folders above),
# or, with OBJECT_STORAGE_URL, in two buckets of an S3-compatible object storage, a public and a
# private one (site_config.env.object_storages; docs/operations.md "Object storage").
LOCAL_FILE_STORAGES: dict[str, dict[str, Any]] = {
    "default": {"BACKEND": "submissions.storage.MediaStorage"},
    "submissions": {
        "BACKEND": "submissions.storage.PrivateFileSystemStorage",
        "OPTIONS": {
            "location": SUBMISSIONS_PRIVATE_ROOT,
            "file_permissions_mode": 0o600,
            "directory_permissions_mode": 0o700,
        },
    },
}
OBJECT_STORAGES = object_storages(env)
STORAGES.update(OBJECT_STORAGES or LOCAL_FILE_STORAGES)
# Caches (docs/operations.md "Shared caches"). The rate-limit counters must be shared by every
# gunicorn worker and node: a database cache by default (its table is made by `manage.py
# createcachetable`, which the submissions app also runs after every migrate). Keeps any CACHES
# defined above; Django's default is a per-process locmem.
# REDIS_URL (several app servers): the caches that must agree between servers move to that Redis,
# through Django's RedisCache: the rate-limit counters ("submissions", atomic increments; the
# database cache "submissions-database" counts while Redis is down, core.ratelimit), the search
# answers ("search") and the taxonomy labels' version ("labels", manual.taxonomy_registry). The
# sitemap's files stay in the database: it is shared already, they are big and read rarely, and a
# Redis full of them would evict the counters. Sessions are in the database (Django's default engine).
REDIS_URL = redis_url(env)
_REDIS_OPTIONS = {
    # A call slower than this counts as an outage (core.shared_cache): no request waits on a dead Redis.
    "socket_connect_timeout": 0.5,
    "socket_timeout": 0.5,
}
_SUBMISSIONS_DATABASE_CACHE = {
    "BACKEND": "django.core.cache.backends.db.DatabaseCache",
    "LOCATION": "submissions_cache",
    "TIMEOUT": 3600,
    # One row per client and hour; culling must not drop live counters under many clients.
    "OPTIONS": {"MAX_ENTRIES": 100_000},
}
CACHES = {
    **globals().get("CACHES", {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}),
    "submissions": _SUBMISSIONS_DATABASE_CACHE,
    # The sitemap's files (manual.services.sitemap), built once per change of the public pages and
    # shared by every worker and node, like the generation token that names the current ones. Stale
    # generations expire after a day (a part at 10,000 URLs is about 300 KB gzipped).
    "sitemap": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "sitemap_cache",
        "TIMEOUT": 86_400,
        "OPTIONS": {"MAX_ENTRIES": 2_000},
    },
    # Search answers, per process unless REDIS_URL shares them (one copy serves every worker and
    # server); an answer of 20 hits is about 20 KB (100 hits: 100 KB).
    "search": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "search-answers",
        "TIMEOUT": SEARCH_CACHE_SECONDS,
        "OPTIONS": {"MAX_ENTRIES": 500},
    },
}
if REDIS_URL:
    CACHES["submissions-database"] = _SUBMISSIONS_DATABASE_CACHE
    CACHES["submissions"] = {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": "submissions",
        "TIMEOUT": 3600,
        "OPTIONS": _REDIS_OPTIONS,
    }
    CACHES["search"] = {
        "BACKEND": "core.shared_cache.ForgivingRedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": "search",
        "TIMEOUT": SEARCH_CACHE_SECONDS,
        "OPTIONS": _REDIS_OPTIONS,
    }
    CACHES["labels"] = {
        "BACKEND": "core.shared_cache.ForgivingRedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": "labels",
        "TIMEOUT": None,  # the version never expires (an evicted one only costs the 60-s bound)
        "OPTIONS": _REDIS_OPTIONS,
    }
    # Wagtail's rendition cache: shared, so the purge Wagtail sends when a rendition is deleted
    # reaches every server. Per process, a server that showed a case between its publication and
    # the worker's release of its files (submissions.services.media) kept the private rendition
    # until the entry expired (bench/topology.py step 3).
    CACHES["renditions"] = {
        "BACKEND": "core.shared_cache.ForgivingRedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": "renditions",
        "OPTIONS": _REDIS_OPTIONS,
    }
del _REDIS_OPTIONS, _SUBMISSIONS_DATABASE_CACHE
# GDPR retention: days after their last status change when rejected and spam submissions lose their
# personal data (manage.py purge_submissions, docs/personal-data.md).
SUBMISSIONS_PURGE_DAYS = env.int("SUBMISSIONS_PURGE_DAYS", 90, minimum=1)
# CAPTCHA hook of the form and the API (submissions.services.captcha): a CaptchaVerifier class; keys of the provider.
SUBMISSIONS_CAPTCHA_VERIFIER = env.str("SUBMISSIONS_CAPTCHA_VERIFIER", "submissions.services.captcha.NoCaptcha")
SUBMISSIONS_CAPTCHA_SITE_KEY = env.str("SUBMISSIONS_CAPTCHA_SITE_KEY")
SUBMISSIONS_CAPTCHA_SECRET = env.str("SUBMISSIONS_CAPTCHA_SECRET")
# Days the edit link of a "changes requested" e-mail stays valid (docs/submissions.md "Review").
SUBMISSIONS_EDIT_LINK_DAYS = env.int("SUBMISSIONS_EDIT_LINK_DAYS", 30, minimum=1)

# --- Translations ---
# Machine translation in wagtail-localize's editor (docs/translations.md): DeepL's API when
# DEEPL_API_KEY is set; MACHINE_TRANSLATOR=pseudo gives the local, offline pseudo-translator (demos,
# tests); otherwise none. Machine strings must be marked reviewed before a translation can be
# submitted for review (manual.services.translations).
DEEPL_API_KEY = env.str("DEEPL_API_KEY")
MACHINE_TRANSLATOR = env.str("MACHINE_TRANSLATOR", "deepl" if DEEPL_API_KEY else "none")
if MACHINE_TRANSLATOR == "deepl":
    if not DEEPL_API_KEY:
        raise env.fail("MACHINE_TRANSLATOR", "deepl needs DEEPL_API_KEY")
    WAGTAILLOCALIZE_MACHINE_TRANSLATOR = {
        "CLASS": "wagtail_localize.machine_translators.deepl.DeepLTranslator",
        "OPTIONS": {"AUTH_KEY": DEEPL_API_KEY, "TIMEOUT": 30},
    }
elif MACHINE_TRANSLATOR == "pseudo":
    WAGTAILLOCALIZE_MACHINE_TRANSLATOR = {"CLASS": "manual.machine_translators.PseudoTranslator", "OPTIONS": {}}
elif MACHINE_TRANSLATOR != "none":
    raise env.fail("MACHINE_TRANSLATOR", f"expected deepl, pseudo or none, got {MACHINE_TRANSLATOR!r}")

# --- Reader ---
# URLs per sitemap part (/sitemap-<locale>.xml, then -2, -3...); the protocol allows 50,000.
SITEMAP_PART_SIZE = env.int("SITEMAP_PART_SIZE", 10_000, minimum=1, maximum=50_000)
# Server-rendered reader pages (docs/reader.md). Accessibility feedback (Web Accessibility
# Directive) is e-mailed to this address; the sender of notifications by default.
ACCESSIBILITY_FEEDBACK_EMAIL = env.str("ACCESSIBILITY_FEEDBACK_EMAIL", DEFAULT_FROM_EMAIL)
if "@" not in ACCESSIBILITY_FEEDBACK_EMAIL:
    raise env.fail("ACCESSIBILITY_FEEDBACK_EMAIL", "must be an e-mail address")
# Feedback messages one client (address, IPv6 /64) may send per sliding hour; 0 = no limit. Its own
# budget, counted like the submissions' (core.ratelimit).
ACCESSIBILITY_FEEDBACK_RATE_LIMIT = env.int("ACCESSIBILITY_FEEDBACK_RATE_LIMIT", 5, minimum=0)
# Previews for an external front end (wagtail-headless-preview): when HEADLESS_PREVIEW_CLIENT_URL
# is set, the admin's preview opens that front end with a token; unset, Wagtail's built-in preview
# renders the reader templates.
HEADLESS_PREVIEW_CLIENT_URL = env.url("HEADLESS_PREVIEW_CLIENT_URL", {"http", "https"})
INSTALLED_APPS.append("wagtail_headless_preview")
# Seconds a preview link of the external front end works; `manage.py purge_previews` deletes the
# drafts of older ones (manual.services.previews).
HEADLESS_PREVIEW_MAX_AGE = env.int("HEADLESS_PREVIEW_MAX_AGE", 3600, minimum=60, maximum=7 * 86_400)
# The reader's map may draw on a tile server's map (docs/reader.md "The map"); without one it asks no
# other host for anything. Its origin is then the one other host the reader's pages take images from.
MAP_TILE_URL, MAP_TILE_ATTRIBUTION = map_tiles(env)
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": csp_policies.reader_policy(BASE_DIR, image_hosts=[url_origin(MAP_TILE_URL)] if MAP_TILE_URL else [])
}
CONTENT_SECURITY_POLICY_ADMIN = csp_policies.admin_policy(
    CONTENT_SECURITY_POLICY["DIRECTIVES"], HEADLESS_PREVIEW_CLIENT_URL
)
WAGTAIL_HEADLESS_PREVIEW = {
    "CLIENT_URLS": {"default": HEADLESS_PREVIEW_CLIENT_URL} if HEADLESS_PREVIEW_CLIENT_URL else {},
    "REDIRECT_ON_PREVIEW": False,
    "ENFORCE_TRAILING_SLASH": True,
}

# --- Open data ---
# The case dumps (opendata app, docs/open-data.md): written by `manage.py export_cases` into
# OPEN_DATA_DIR and served from there at /api/v1/export/. The licence of the dataset as a whole (each
# case record states its own, the page's licence) and its publisher, for the DCAT-AP record.
OPEN_DATA_DIR = env.path("OPEN_DATA_DIR", VAR_DIR / "exports")
OPEN_DATA_LICENCE = env.str("OPEN_DATA_LICENCE", "CC-BY-4.0")
OPEN_DATA_PUBLISHER = env.str("OPEN_DATA_PUBLISHER", "PanEuropean Best Practice Manual on eParticipation")
OPEN_DATA_PUBLISHER_URL = env.url("OPEN_DATA_PUBLISHER_URL", {"http", "https"}, BASE_URL)
# Seconds a refresh waits after a case is published or unpublished, so that a burst of publications
# makes one export (with TASKS_BACKEND=database; the immediate backend refreshes at once).
OPEN_DATA_REFRESH_DELAY = env.int("OPEN_DATA_REFRESH_DELAY", 60, minimum=0, maximum=86_400)
