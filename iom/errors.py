"""Friendly error pages; a failed request never leaves half its changes behind."""
import logging

from flask import Flask, g, render_template, request
from flask_wtf.csrf import CSRFError

from iom.security import safe_next
from iom.extensions import db

log = logging.getLogger("iom")


def init_app(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(error):
        db.session.rollback()
        retry = safe_next(request.full_path.rstrip("?")) if request.method == "GET" else None
        referrer = request.referrer or ""
        if not retry and referrer.startswith(request.host_url):
            retry = safe_next("/" + referrer[len(request.host_url):])
        return render_template("errors/csrf.html", retry_url=retry), 400

    @app.errorhandler(400)
    def bad_request(error):
        db.session.rollback()
        return render_template("errors/400.html"), 400

    @app.errorhandler(403)
    def forbidden(error):
        return render_template("errors/403.html"), 403

    @app.errorhandler(404)
    def not_found(error):
        return render_template("errors/404.html"), 404

    @app.errorhandler(405)
    def method_not_allowed(error):
        return render_template("errors/404.html"), 405

    @app.errorhandler(413)
    def too_large(error):
        return render_template("errors/400.html",
                               message="The file is too big. Files must be 50MB or smaller."), 413

    @app.errorhandler(429)
    def too_many(error):
        return render_template("errors/429.html"), 429

    @app.errorhandler(500)
    def server_error(error):
        g.rendering_server_error = True
        db.session.rollback()
        log.error("unhandled error on %s %s (request %s)", request.method, request.endpoint,
                  g.get("request_id", ""))
        return render_template("errors/500.html"), 500
