"""The navigation bar, derived from the same access rules the server enforces."""
from flask import Flask, current_app, g, request, url_for
from flask_login import current_user

from iom.auth.permissions import may

# (label, endpoint): an item shows only when the endpoint exists and the role may use it
NAVIGATION = [
    ("Home", "home.index"),
    ("Caseload", "clients.list_clients"),
    ("Watch list", "watch.list_entries"),
    ("Housing", "referrals.housing_queue"),
    ("Payments", "payments.ledger"),
    ("Monthly figures", "figures.monthly"),
    ("Cost of crime", "offending.unit_costs"),
    ("Import", "imports.upload"),
    ("Annual report", "reports.index"),
    ("Alcohol paper", "alcohol_paper.index"),
    ("Audit trail", "audit.list_entries"),
    ("Users", "accounts.list_users"),
]
# "Your account" stands beside the signed-in name and "Sign out" (templates/base.html), not in the
# menu: the manager's menu then fits on one line at 1280 px.
# Pages a role needs now and then, listed under "What you can do" on the home page, not in the menu.
ELSEWHERE = [
    ("Records due for retention review", "data_protection.retention_review"),
]


def nav_items(entries=NAVIGATION) -> list[dict]:
    """The entries the signed-in person may use, as links; the menu's by default. They follow from the role
    and the page alone (templates/base.html keeps the menu drawn under those), so the menu's are worked out
    once for each and kept."""
    # The 500 page must render even when the database is what failed.
    if g.get("rendering_server_error") or not current_user.is_authenticated:
        return []
    if entries is not NAVIGATION:
        return _items(entries)
    kept = current_app.extensions["iom.navigation"]
    key = (current_user.role, request.endpoint, request.script_root)
    if key not in kept:
        kept[key] = _items(entries)
    return [dict(item) for item in kept[key]]


def _items(entries) -> list[dict]:
    items = []
    for text, endpoint in entries:
        view = current_app.view_functions.get(endpoint)
        if view is None or not may(current_user.role, endpoint, view):
            continue
        blueprint = endpoint.partition(".")[0]
        active = request.endpoint == endpoint or (
            endpoint != "home.index" and request.blueprint == blueprint and blueprint != "auth")
        items.append({"text": text, "href": url_for(endpoint), "active": active})
    return items


def init_app(app: Flask) -> None:
    app.extensions["iom.navigation"] = {}  # at most roles x endpoints x address roots

    @app.context_processor
    def inject_navigation():
        return {"nav_items": nav_items()}
