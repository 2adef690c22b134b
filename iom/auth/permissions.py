"""Who may do what. Deny by default: a route no rule names is refused."""
from collections.abc import Callable, Iterable

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
