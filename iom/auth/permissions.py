"""Who may do what. Deny by default: a route no rule names is refused. The record-level rules (what a
role sees inside the pages it may open) are named here too, each as a rule."""
from collections.abc import Callable, Iterable

from flask import current_app

ADMIN = "admin"
MANAGER = "manager"
OFFICER = "officer"
HOUSING = "housing"
REVIEWER = "reviewer"

ROLES = (ADMIN, MANAGER, OFFICER, HOUSING, REVIEWER)
ROLE_LABELS = {
    ADMIN: "Administrator",
    MANAGER: "Manager",
    OFFICER: "IOM officer",
    HOUSING: "Housing and resettlement specialist",
    REVIEWER: "External reviewer",
}

EVERYONE = frozenset(ROLES)
CASEWORKERS = frozenset({MANAGER, OFFICER, HOUSING})
OVERSIGHT = frozenset({ADMIN, MANAGER})
ACCOUNT_ADMINS = frozenset({ADMIN})
CASE_WORKING = frozenset({OFFICER, MANAGER})  # who keeps a case up to date, and reads its case notes
PAYMENT_ROLES = frozenset({MANAGER, OFFICER})  # support payments: never housing, nor the reviewer
OFFENCE_ROLES = CASE_WORKING  # the offending record, as case notes: never housing, the reviewer or admin
HOUSING_REFERRAL_KINDS = frozenset({"housing"})  # never mental health or alcohol services (health data)
ALCOHOL_SCREENING_ROLES = CASE_WORKING  # AUDIT-C screenings are health data: never housing, the reviewer or admin

# blueprint name -> roles allowed on every route of that blueprint
_BLUEPRINT_ROLES: dict[str, frozenset[str]] = {}


def allow_blueprint(blueprint, roles: Iterable[str]) -> None:
    """State which roles may use every route of a blueprint."""
    roles = frozenset(roles)
    unknown = roles - set(ROLES)
    if unknown:
        raise ValueError(f"unknown roles {sorted(unknown)}")
    _BLUEPRINT_ROLES[blueprint.name] = roles


def public(view: Callable) -> Callable:
    """Mark a view that needs no sign-in (the sign-in page itself, first set-up)."""
    view.is_public = True
    return view


def only(*roles: str) -> Callable[[Callable], Callable]:
    """Narrow a single route to fewer roles than its blueprint allows."""
    unknown = set(roles) - set(ROLES)
    if unknown:
        raise ValueError(f"unknown roles {sorted(unknown)}")

    def decorate(view: Callable) -> Callable:
        view.allowed_roles = frozenset(roles)
        return view

    return decorate


def fresh_second_factor(view: Callable) -> Callable:
    """A download that asks for the code again unless it was given in the last few minutes (STEP_UP_FRESHNESS):
    the review pack and the caseload export."""
    view.needs_fresh_second_factor = True
    return view


def needs_fresh_second_factor(view: Callable | None) -> bool:
    return bool(getattr(view, "needs_fresh_second_factor", False))


def is_public(view: Callable | None) -> bool:
    return bool(getattr(view, "is_public", False))


def roles_for(endpoint: str, view: Callable | None) -> frozenset[str]:
    """The roles allowed on an endpoint; empty when no rule names it."""
    if view is not None and getattr(view, "allowed_roles", None) is not None:
        return view.allowed_roles
    blueprint = endpoint.rpartition(".")[0]
    return _BLUEPRINT_ROLES.get(blueprint, frozenset())


def may(role: str | None, endpoint: str, view: Callable | None) -> bool:
    """The rule itself: is this role allowed on this endpoint?"""
    return role is not None and role in roles_for(endpoint, view)


def may_use(user, endpoint: str) -> bool:
    """Whether the user may open that route: its own rule decides what a page offers (hiding a link
    is cosmetic, the route refuses too)."""
    return user.is_authenticated and may(user.role, endpoint, current_app.view_functions.get(endpoint))


# --- record-level rules -------------------------------------------------------------------------

def may_see_case_notes(user) -> bool:
    """Case notes (and the change history beside them) are for officers and managers only."""
    return user.role in CASE_WORKING


def may_see_offences(user) -> bool:
    """A person's offences (and their timeline, before-and-after figures, cost of crime and adoption
    score) are for officers and managers only, as case notes are: never the housing specialist or
    the reviewer."""
    return user.role in OFFENCE_ROLES


def may_see_alcohol_screening(user) -> bool:
    """AUDIT-C screenings (health data) are for officers and managers only, as case notes are."""
    return user.role in ALCOHOL_SCREENING_ROLES


def may_see_paper_drafts(user) -> bool:
    """Drafts of the alcohol discussion paper are the manager's; others who may read it read published versions."""
    return user.role == MANAGER


def may_see_payments(user) -> bool:
    """Support payments are never shown to the housing role or the reviewer, not even as a panel."""
    return user.role in PAYMENT_ROLES


def referral_kinds_for(user, kinds: Iterable[str]) -> tuple[str, ...]:
    """The kinds of referral, of `kinds`, a user may see and work: housing sees housing referrals only
    (never mental-health or alcohol service referrals)."""
    return tuple(kind for kind in kinds if user.role != HOUSING or kind in HOUSING_REFERRAL_KINDS)


def has_own_caseload(user) -> bool:
    """Officers are offender managers: their caseload is the one they land on, and new clients are theirs."""
    return user.role == OFFICER
