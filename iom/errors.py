"""Friendly error pages; a failed request never leaves half its changes behind."""
import logging

from flask import Flask, g, render_template, request
from flask_wtf.csrf import CSRFError

from iom.security import safe_next
from iom.extensions import db

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
    app.register_error_handler(413, _page("errors/400.html", 413,
                                          message="The file is too big. Files must be 50MB or smaller."))

    @app.errorhandler(500)
    def server_error(error):
        g.rendering_server_error = True
        db.session.rollback()
        log.error("unhandled error on %s %s (request %s)", request.method, request.endpoint,
                  g.get("request_id", ""))
        return render_template("errors/500.html"), 500
