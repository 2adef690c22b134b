"""Security headers sent by the application itself, whatever sits in front of it, and the
request id every response and audit entry carries."""
import re
import uuid
from urllib.parse import urlsplit

from flask import Flask, g, render_template, request

from iom.form_fields import has_control_characters

# What a proxy's X-Request-ID may be to be kept: 1 to 200 letters, digits, '.', '_' or '-'
# (a UUID, nginx's $request_id, a Heroku or load balancer id). Anything else gets a new id.
REQUEST_ID_PATTERN = re.compile(r"[A-Za-z0-9._-]{1,200}")

CONTENT_SECURITY_POLICY = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
])


def request_id_for(incoming: str | None, *, trust_incoming: bool) -> str:
    """The proxy's request id when there is a trusted proxy and the id is well formed, else a new one."""
    if trust_incoming and incoming and REQUEST_ID_PATTERN.fullmatch(incoming):
        return incoming
    return uuid.uuid4().hex


def init_app(app: Flask) -> None:
    @app.before_request
    def assign_request_id():
        # Only a proxy the service is told to trust (IOM_PROXY_FIX_HOPS) may name the request:
        # otherwise anyone could give their requests another request's id in the audit trail.
        g.request_id = request_id_for(request.headers.get("X-Request-ID"),
                                      trust_incoming=bool(app.config.get("PROXY_FIX_HOPS")))

    @app.before_request
    def refuse_control_characters_in_the_address():
        # A search box or filter holding NUL would reach the database (PostgreSQL refuses it).
        # `next` is exempt: the sign-in page ignores an unusable one and goes home.
        texts = [*request.args.keys(), *(value for key, values in request.args.lists() if key != "next"
                                         for value in values),
                 *(value for value in (request.view_args or {}).values() if isinstance(value, str))]
        if any(has_control_characters(text) for text in texts):
            return render_template(
                "errors/400.html",
                message="The address or the search you entered contains a hidden special character, "
                        "such as NUL or another control character, that the service cannot use. "
                        "Type the search again rather than pasting it."), 400

    @app.after_request
    def set_security_headers(response):
        headers = response.headers
        headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("X-Frame-Options", "DENY")
        headers.setdefault("Referrer-Policy", "same-origin")
        headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=()")
        headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        if app.config.get("BEHIND_HTTPS"):
            headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
        if request.endpoint != "static":
            # Pages and downloads carry personal data: never keep them in any cache.
            headers["Cache-Control"] = "no-store"
            headers["Pragma"] = "no-cache"
        if g.get("request_id"):
            headers["X-Request-ID"] = g.request_id
        return response


def safe_next(target: str | None) -> str | None:
    """A `next` address only when it stays on this site (no open redirect) and is a plain
    address: control characters or spaces (a header-splitting `/%0d%0aX`) mean none."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return None
    if not target.isascii() or not target.isprintable() or " " in target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return None
    return target
