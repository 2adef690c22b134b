"""What a public service must publish, readable signed out and linked from every page's footer: the
accessibility statement, the privacy notice for law enforcement processing (Data Protection Act 2018,
Part 3) and the cookies page. The partnership's own details come from config (iom/config.py); a page
marks each one that is still the demo's."""
from dataclasses import dataclass
from datetime import date

from flask import Blueprint, current_app, render_template

from iom.auth.permissions import EVERYONE, allow_blueprint, public
from iom.config import PUBLISHED_SETTINGS, Config

bp = Blueprint("about", __name__)
allow_blueprint(bp, EVERYONE)

# The footer's links, in the order GOV.UK services give them.
FOOTER_LINKS = (("Accessibility statement", "about.accessibility"), ("Privacy notice", "about.privacy"),
                ("Cookies", "about.cookies"))


@bp.app_context_processor
def footer():
    return {"footer_links": FOOTER_LINKS}


# What each of the partnership's details is, for the list of those still to be set.
DETAIL_WORDS = {
    "PARTNERSHIP_NAME": "the partnership's name",
    "CONTACT_EMAIL": "the email address for questions, other formats and accessibility problems",
    "DATA_PROTECTION_EMAIL": "the data protection officer's email address",
    "JOINT_CONTROLLERS": "the agencies that are joint controllers",
    "RETENTION": "how long records are kept",
    "HOSTING": "where the service is hosted",
    "ACCESSIBILITY_TESTED_ON": "the date the service was last tested for accessibility",
}


@dataclass(frozen=True)
class Detail:
    """One of the partnership's details: what the page shows, the environment variable that sets it, what
    it is, and whether it is set (otherwise the page shows the demo's value, or a gap, and lists it)."""
    value: object
    variable: str
    what: str
    is_set: bool


def partnership_details() -> dict[str, Detail]:
    """Every published setting by its config key in lower case (partnership_name, contact_email, ...)."""
    config = current_app.config
    details = {}
    for variable, key in PUBLISHED_SETTINGS.items():
        value = config.get(key)
        is_set = bool(value) and value != getattr(Config, key)
        if key == "ACCESSIBILITY_TESTED_ON":
            is_set = _tested_on(value) is not None
        details[key.lower()] = Detail(value, variable, DETAIL_WORDS[key], is_set)
    return details


def _tested_on(text) -> date | None:
    try:
        return date.fromisoformat(str(text or ""))
    except ValueError:
        return None


def _page(template: str, uses: tuple[str, ...], **context):
    """A published page, with the details it `uses` that are still to be set listed above it."""
    details = partnership_details()
    return render_template(template, details=details, gaps=[details[key] for key in uses if not details[key].is_set],
                           **context)


@bp.route("/accessibility")
@public
def accessibility():
    return _page("about/accessibility.html", ("partnership_name", "contact_email", "accessibility_tested_on"),
                 tested_on=_tested_on(current_app.config["ACCESSIBILITY_TESTED_ON"]))


@bp.route("/privacy")
@public
def privacy():
    return _page("about/privacy.html", ("partnership_name", "joint_controllers", "data_protection_email", "hosting",
                                        "retention"))


@bp.route("/cookies")
@public
def cookies():
    config = current_app.config
    minutes = int(config["PERMANENT_SESSION_LIFETIME"].total_seconds() // 60)
    return _page("about/cookies.html", ("contact_email",), cookie_name=config["SESSION_COOKIE_NAME"], minutes=minutes,
                 is_secure=config["SESSION_COOKIE_SECURE"])
