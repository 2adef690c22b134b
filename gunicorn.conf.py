"""gunicorn's settings for the IOM tracker: `gunicorn -c gunicorn.conf.py wsgi:app`, from the repository
root (docs/operations.md). Each one the operator may need to change is read from the environment, so this
file is never edited on a server; gunicorn's own GUNICORN_CMD_ARGS still works over all of it."""
import os

# Behind nginx on the same host (deploy/nginx/iom.conf): only the proxy reaches the workers.
bind = os.environ.get("IOM_BIND", "127.0.0.1:8000")

# Sync workers: each request has a process of its own (the PDF pack, an import), so one slow request never
# holds up another's. 2 x cores + 1, up to 9; WEB_CONCURRENCY (gunicorn's own name) sets it. Each worker
# keeps up to IOM_DATABASE_POOL_SIZE + IOM_DATABASE_MAX_OVERFLOW connections (5 + 10 by default).
workers = int(os.environ.get("WEB_CONCURRENCY") or min(2 * (os.cpu_count() or 1) + 1, 9))
worker_class = "sync"

# The longest request is a caseload import uploaded as one workbook (5,000 clients and 50,000 offences:
# about 31 s on PostgreSQL on a busy 2-core host, bench/README.md), then the end-of-year pack as PDF.
# 120 s is four times that; a worker still busy then is killed and its transaction rolled back.
timeout = int(os.environ.get("IOM_TIMEOUT", "120"))
# On SIGTERM (systemctl stop, a deploy) a worker finishes the request in hand for up to this long.
graceful_timeout = int(os.environ.get("IOM_GRACEFUL_TIMEOUT", str(timeout)))
keepalive = 5

# A worker is replaced when it holds more memory than IOM_WORKER_MEMORY_MB (checked after each request:
# post_request below), not after a count of requests. WeasyPrint and openpyxl do not always give back what a
# PDF pack or a workbook took (the pack at 5,000 clients peaks at about 165 MB a process, bench/README.md),
# and that is what a fresh worker is for. Replacing one after every 1,000 requests instead did it every few
# seconds under load, and each replacement started with nothing kept (no connection, no kept caseload page):
# that put a 300 ms tail on the caseload at 50 connections (bench/README.md). IOM_MAX_REQUESTS still sets
# gunicorn's count as well, if an operator wants one; 0 (the default) is none.
max_requests = int(os.environ.get("IOM_MAX_REQUESTS", "0"))
max_requests_jitter = max_requests // 10
worker_memory_limit = int(os.environ.get("IOM_WORKER_MEMORY_MB", "512")) * 1024 * 1024

# The application is loaded once, in the master, and each worker is forked from it, templates compiled
# (wsgi.py). A worker replaced (over its memory limit) is then serving within milliseconds; loaded in each
# worker instead, every replacement spent about a second of CPU importing and compiling before its first
# request, which cost the caseload a quarter of its requests a second and put a one-second tail on its
# slowest (bench/README.md). The price: `kill -HUP` would fork new workers from the old code, so the
# systemd unit has no reload, and a release is a restart (docs/operations.md).
preload_app = True

# The application writes its own request log (iom/request_log.py): one JSON line per request on stderr,
# with the route, the account id, the status and the duration. gunicorn's access log would repeat it, in
# its usual format with the address and its query string (a search for a name) and the client's network
# address, so it is off. IOM_ACCESS_LOG=- (stdout) or a file's path turns it on, in this format, which has
# neither (the request id ties a line to the application's).
accesslog = os.environ.get("IOM_ACCESS_LOG") or None
access_log_format = "%(m)s %(s)s %(M)sms %(B)sB request %({x-request-id}o)s"

# gunicorn's own lines (a worker booting, a timeout, a start-up failure) go to stderr as JSON too, so every
# line systemd's journal or the container's log holds is one JSON object (iom.request_log.JsonLines).
errorlog = "-"
loglevel = os.environ.get("IOM_GUNICORN_LOG_LEVEL", "info")
_access_handler = ({"class": "logging.StreamHandler", "formatter": "json", "stream": "ext://sys.stdout"}
                   if accesslog == "-" else
                   {"class": "logging.handlers.WatchedFileHandler", "formatter": "json", "filename": accesslog}
                   if accesslog else {"class": "logging.NullHandler"})
logconfig_dict = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": {"()": "iom.request_log.JsonLines"}},
    "handlers": {
        "stderr": {"class": "logging.StreamHandler", "formatter": "json", "stream": "ext://sys.stderr"},
        "access": _access_handler,
    },
    "root": {"level": "WARNING", "handlers": ["stderr"]},
    "loggers": {
        "gunicorn.error": {"level": loglevel.upper(), "handlers": ["stderr"], "propagate": False},
        # a logging configuration turns gunicorn's access log on, so off is a level nothing reaches
        "gunicorn.access": {"level": "INFO" if accesslog else "CRITICAL", "handlers": ["access"],
                            "propagate": False},
    },
}

# No control socket (gunicorn 25's gunicornc): systemd's signals do its work (HUP reloads, TERM stops), and
# a second instance on the host would fight over the same path in the service account's home.
control_socket_disable = True

# The client's address and the scheme come from the proxy's X-Forwarded-For and X-Forwarded-Proto, which the
# application reads through IOM_PROXY_FIX_HOPS (werkzeug's ProxyFix); gunicorn's forwarded_allow_ips is left
# at its default (only a proxy on this host).

# Temporary files for the workers' heartbeats in memory, not on a disk that may stall (a container's).
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None


def post_fork(server, worker):
    """Each worker opens its own database connections: none the master might hold is shared across the fork
    (SQLAlchemy's advice for a pool inherited by a child process; the master opens none today)."""
    from iom.extensions import db
    with server.app.wsgi().app_context():
        for engine in db.engines.values():
            engine.dispose(close=False)


def resident_bytes() -> int:
    """This process's resident memory now (Linux's /proc; 0 where there is none, so never a replacement)."""
    try:
        with open("/proc/self/statm", "rb") as statm:
            return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return 0


def post_request(worker, req, environ, resp):
    """A worker over its memory limit finishes this request and exits; the master forks a fresh one."""
    if worker.alive and resident_bytes() > worker_memory_limit:
        worker.log.info("worker %s holds %d MB, over IOM_WORKER_MEMORY_MB: replacing it", worker.pid,
                        resident_bytes() // (1024 * 1024))
        worker.alive = False
