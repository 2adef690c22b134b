"""Friendly error pages; a failed request never leaves half its changes behind."""
import logging

from flask import Flask, g, render_template, request
from flask_wtf.csrf import CSRFError

from iom.security import safe_next
from iom.extensions import db
from iom.request_log import traceback_without_values

log = logging.getLogger("iom")

# a status and the page that says it (a method not allowed reads as a page not found)
PAGES = {403: "errors/403.html", 404: "errors/404.html", 405: "errors/404.html", 429: "errors/429.html"}


def _page(template: str, status: int, *, roll_back: bool = False, **context):
    """A handler that shows `template` with `status`, first rolling back the request's changes if asked."""
    def show(error):
        if roll_back:
            db.session.rollback()
        return render_template(template, **context), status
    return show


def init_app(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(error):
        db.session.rollback()
        retry = safe_next(request.full_path.rstrip("?")) if request.method == "GET" else None
        referrer = request.referrer or ""
        if not retry and referrer.startswith(request.host_url):
            retry = safe_next("/" + referrer[len(request.host_url):])
        return render_template("errors/csrf.html", retry_url=retry), 400

    app.register_error_handler(400, _page("errors/400.html", 400, roll_back=True))
    for status, template in PAGES.items():
        app.register_error_handler(status, _page(template, status))
    largest_mb = (app.config.get("MAX_CONTENT_LENGTH") or 0) // (1024 * 1024)
    app.register_error_handler(413, _page("errors/400.html", 413,
                                          message=f"The file is too big. Files must be {largest_mb}MB or smaller."))
    # Flask would log an unhandled error with the request's path and the exception's message (which may
    # quote a row's values): the 500 handler below logs it instead, as JSON, without either.
    app.log_exception = lambda exc_info: None

    @app.errorhandler(500)
    def server_error(error):
        g.rendering_server_error = True
        db.session.rollback()
        original = getattr(error, "original_exception", None) or error
        log.error("unhandled error", extra={"fields": {
            "method": request.method, "route": request.url_rule.rule if request.url_rule is not None else None,
            "error": f"{type(original).__module__}.{type(original).__qualname__}",
            "traceback": traceback_without_values(original)}})
        return render_template("errors/500.html"), 500
