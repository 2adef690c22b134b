"""Administrators manage accounts at /admin/users: add, change role, reset password,
deactivate and reactivate. Every change is audited, ends the person's sessions where it
should, refuses a save over someone else's change, and never leaves half a change behind."""
import threading
from urllib.parse import urlsplit

import pytest
from sqlalchemy import event, func, select

from iom.audit.models import AuditEntry
from iom.auth import operations
from iom.auth.models import User, UserSession
from iom.extensions import db
from tests.pages import DEFAULT_PASSWORD, Page, post_form, sign_in

TEMPORARY_PASSWORD = "copper kettle meadow 17"
GENERIC_FAILURE = "Enter a correct username and password"


# --- reading pages ----------------------------------------------------------------------------

def assert_field_error(page: Page, field: str, message: str) -> None:
    """The GOV.UK pattern: 'Error:' title prefix, the message in the summary and by the field."""
    assert page.title.startswith("Error: "), page.title
    assert message in page.summary_errors, page.summary_errors
    assert page.field_errors.get(f"{field}-error") == message, page.field_errors


def location(response) -> str:
    return urlsplit(response.headers["Location"]).path


def assert_signed_out(client) -> None:
    """The browser's next request is sent to the sign-in page."""
    response = client.get("/")
    assert response.status_code == 302
    assert location(response) == "/login"


def assert_signed_in(client) -> None:
    assert client.get("/").status_code == 200


# --- reading the database ---------------------------------------------------------------------

def user_state(app, user_id) -> dict:
    with app.app_context():
        user = db.session.get(User, user_id)
        return {"username": user.username, "role": user.role, "is_active": user.is_active,
                "must_change_password": user.must_change_password, "version": user.version,
                "password_hash": user.password_hash, "display_name": user.display_name}


def count_users(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(User))


def live_sessions(app, user_id) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(UserSession)
                                 .where(UserSession.user_id == user_id, UserSession.ended_at.is_(None)))


def audit_entries(app, action=None) -> list[dict]:
    with app.app_context():
        query = select(AuditEntry).order_by(AuditEntry.seq)
        if action:
            query = query.where(AuditEntry.action == action)
        return [{"seq": e.seq, "action": e.action, "actor_id": e.actor_id, "actor_label": e.actor_label,
                 "subject_type": e.subject_type, "subject_id": e.subject_id, "summary": e.summary,
                 "changes": e.changes} for e in db.session.scalars(query)]


def new_client(app, username, password=DEFAULT_PASSWORD):
    """Another browser, signed in as someone else."""
    other = app.test_client()
    response = sign_in(other, app, username, password)
    assert response.status_code == 302, response.text
    return other



@pytest.fixture
def admin(signed_in):
    """A signed-in administrator: (client, user_id, username)."""
    client, user_id = signed_in("admin", username="chief.admin")
    return client, user_id, "chief.admin"


# --- adding a user ----------------------------------------------------------------------------

def test_admin_adds_a_user_who_must_change_the_temporary_password(app, admin):
    client, admin_id, admin_name = admin
    assert client.get("/admin/users/new").status_code == 200
    before = count_users(app)

    response = post_form(client, app, "/admin/users/new", {
        "username": "Jo.Bloggs", "display_name": "Jo Bloggs", "role": "officer",
        "password": TEMPORARY_PASSWORD})

    assert response.status_code == 302
    assert count_users(app) == before + 1
    with app.app_context():
        new_id = db.session.scalar(select(User.id).where(User.username == "jo.bloggs"))
    assert location(response) == f"/admin/users/{new_id}"
    state = user_state(app, new_id)
    assert state["role"] == "officer" and state["is_active"] and state["version"] == 1
    assert state["display_name"] == "Jo Bloggs"
    assert state["must_change_password"] is True
    assert TEMPORARY_PASSWORD not in state["password_hash"]

    shown = Page(client.get(location(response)))
    assert any("Account jo.bloggs added" in banner for banner in shown.banners)

    listing = Page(client.get("/admin/users"))
    assert ["jo.bloggs", "Jo Bloggs", "IOM officer", "Active", "Never"] in listing.rows

    [created] = audit_entries(app, "account.created")[-1:]
    assert created["actor_id"] == admin_id and created["actor_label"] == admin_name
    assert (created["subject_type"], created["subject_id"]) == ("user_account", str(new_id))
    assert created["changes"]["username"] == [None, "jo.bloggs"]
    assert created["changes"]["role"] == [None, "officer"]
    assert TEMPORARY_PASSWORD not in str(created)

    # The new person signs in, sets up their authenticator app first (shown their recovery codes), and is
    # then held at "change your password" until they do.
    newcomer = app.test_client()
    set_up = sign_in(newcomer, app, "jo.bloggs", TEMPORARY_PASSWORD)
    assert set_up.status_code == 200 and "Save your recovery codes" in set_up.text
    for path in ("/", "/admin/users", "/audit"):
        response = newcomer.get(path)
        assert response.status_code == 302, path
        assert location(response) == "/account/password", path
    assert newcomer.get("/account/password").status_code == 200

    response = post_form(newcomer, app, "/account/password", {
        "current_password": TEMPORARY_PASSWORD, "new_password": "saffron tugboat willow 88",
        "confirm_password": "saffron tugboat willow 88"})
    assert response.status_code == 302
    assert newcomer.get("/").status_code == 200
    assert user_state(app, new_id)["must_change_password"] is False


VALID_NEW_USER = {"username": "sam.new", "display_name": "Sam New", "role": "officer",
                  "password": TEMPORARY_PASSWORD}


@pytest.mark.parametrize("changes, field, message", [
    ({"username": ""}, "username", "Enter a username"),
    ({"username": "sam new!"}, "username",
     "Username must be 3 to 64 characters: letters, numbers, full stops, hyphens and underscores only"),
    ({"username": "sa"}, "username",
     "Username must be 3 to 64 characters: letters, numbers, full stops, hyphens and underscores only"),
    ({"username": "chief.admin"}, "username", "There is already an account with the username chief.admin"),
    ({"username": "  Chief.Admin "}, "username", "There is already an account with the username chief.admin"),
    ({"display_name": ""}, "display_name", "Enter the person's full name"),
    ({"role": None}, "role", "Select a role"),
    ({"password": ""}, "password", "Enter a temporary password"),
    ({"password": "short pw 1"}, "password", "Password must be 12 characters or more"),
    ({"password": "Password123!"}, "password",
     "Password is too common. Choose a password that is harder to guess, such as three random words"),
    ({"password": "sam.new-is-my-password"}, "password", "Password must not contain your username"),
], ids=["blank-username", "bad-characters", "too-short-username", "duplicate", "duplicate-other-case",
        "blank-name", "no-role", "blank-password", "short-password", "common-password",
        "password-has-username"])
def test_add_user_errors_are_shown_and_nothing_is_created(app, admin, changes, field, message):
    client, _, _ = admin
    data = {key: value for key, value in {**VALID_NEW_USER, **changes}.items() if value is not None}
    users_before, audit_before = count_users(app), len(audit_entries(app))

    response = post_form(client, app, "/admin/users/new", data)

    assert response.status_code == 200
    page = Page(response)
    assert_field_error(page, field, message)
    assert count_users(app) == users_before
    assert len(audit_entries(app)) == audit_before
    # what was typed is kept, except the password
    if field != "username":
        assert page.value("username") == data["username"]
    assert all(i.get("value") != data.get("password") for i in page.inputs if data.get("password"))


def test_add_user_with_a_role_that_does_not_exist_is_refused(app, admin):
    client, _, _ = admin
    before = count_users(app)
    response = post_form(client, app, "/admin/users/new", {**VALID_NEW_USER, "role": "superuser"})
    assert response.status_code == 200
    page = Page(response)
    assert page.title.startswith("Error: ") and page.field_errors.get("role-error")
    assert count_users(app) == before


# --- changing a role --------------------------------------------------------------------------

def test_change_role_is_audited_and_ends_the_persons_sessions(app, admin, make_user):
    client, admin_id, _ = admin
    officer_id, officer_name = make_user("officer")
    officer_client = new_client(app, officer_name)
    assert_signed_in(officer_client)
    assert officer_client.get("/audit").status_code == 403

    page = Page(client.get(f"/admin/users/{officer_id}"))
    assert page.checked("role", "/role") == ["officer"]
    version = page.value("version", "/role")
    assert version == "1"

    response = post_form(client, app, f"/admin/users/{officer_id}/role", {"role": "manager", "version": version})

    assert response.status_code == 302
    assert location(response) == f"/admin/users/{officer_id}"
    shown = Page(client.get(location(response)))
    assert any("role has been changed" in banner for banner in shown.banners)
    assert shown.checked("role", "/role") == ["manager"]
    state = user_state(app, officer_id)
    assert (state["role"], state["version"]) == ("manager", 2)
    [entry] = audit_entries(app, "account.role_changed")
    assert entry["changes"] == {"role": ["officer", "manager"]}
    assert entry["actor_id"] == admin_id
    assert (entry["subject_type"], entry["subject_id"]) == ("user_account", str(officer_id))

    assert live_sessions(app, officer_id) == 0
    assert_signed_out(officer_client)
    assert_signed_in(client)  # the administrator carries on

    # signing in again gives the new role's access
    officer_client = new_client(app, officer_name)
    assert officer_client.get("/audit").status_code == 200


def test_a_stale_role_change_is_refused_and_keeps_the_choice(app, admin, make_user):
    client, _, _ = admin
    officer_id, _ = make_user("officer", display_name="Pat Officer")
    _, other_admin_name = make_user("admin")
    other_admin = new_client(app, other_admin_name)
    opened = Page(client.get(f"/admin/users/{officer_id}"))
    assert opened.value("version", "/role") == "1"

    # someone else changes the account after our page was opened
    assert post_form(other_admin, app, f"/admin/users/{officer_id}/role",
                     {"role": "manager", "version": "1"}).status_code == 302

    response = post_form(client, app, f"/admin/users/{officer_id}/role", {"role": "housing", "version": "1"})

    assert response.status_code == 409
    page = Page(response)
    assert page.title.startswith("Error: ")
    assert page.summary_errors == ["Pat Officer's account was changed by someone else after you opened "
                                   "this page. Check the details below and try again."]
    assert page.checked("role", "/role") == ["housing"]  # what they chose is kept
    assert page.value("version", "/role") == "2"  # so they can save again on purpose
    state = user_state(app, officer_id)
    assert (state["role"], state["version"]) == ("manager", 2)
    assert len(audit_entries(app, "account.role_changed")) == 1

    # submitting again, now knowing about the other change, works
    response = post_form(client, app, f"/admin/users/{officer_id}/role", {"role": "housing", "version": "2"})
    assert response.status_code == 302
    assert user_state(app, officer_id)["role"] == "housing"


def test_the_only_active_administrator_cannot_be_demoted(app, admin, make_user):
    client, admin_id, _ = admin
    # a second administrator who is deactivated does not count
    second_id, _ = make_user("admin")
    assert post_form(client, app, f"/admin/users/{second_id}/deactivate",
                     {"version": "1"}).status_code == 302
    assert user_state(app, second_id)["is_active"] is False

    response = post_form(client, app, f"/admin/users/{admin_id}/role", {"role": "manager", "version": "1"})

    assert response.status_code == 400
    assert_field_error(Page(response), "role",
                       "You cannot change the role of the only active administrator. "
                       "Make someone else an administrator first.")
    state = user_state(app, admin_id)
    assert (state["role"], state["version"]) == ("admin", 1)
    assert audit_entries(app, "account.role_changed") == []
    assert_signed_in(client)


@pytest.mark.xdist_group("concurrency")
@pytest.mark.parametrize("change", ["demote", "deactivate"])
def test_two_administrators_removing_each_other_at_once_leave_one_administrator(app, make_user, change):
    """Two active administrators, each demoting (or deactivating) the other at the same moment: two
    workers, two database connections. Each counts two active administrators before the other
    commits; one of them must still be refused, or nobody is left to manage accounts."""
    first_id, _ = make_user("admin")
    second_id, _ = make_user("admin")
    first_holds_its_change = threading.Event()
    second_has_counted = threading.Event()
    second_thread = {}
    outcome = {}

    def take_away_admin(target_id, name, before_commit=lambda: None):
        actor_id = first_id if target_id == second_id else second_id
        with app.app_context():
            try:
                target = db.session.get(User, target_id)
                if change == "demote":
                    operations.change_role(target, "manager", version=1)
                else:
                    operations.deactivate_user(target, actor=db.session.get(User, actor_id), version=1)
                before_commit()
                db.session.commit()
                outcome[name] = "changed"
            except operations.AccountError as error:
                outcome[name] = str(error)
            except Exception as error:  # noqa: BLE001 - any other failure is a finding too
                outcome[name] = repr(error)
            finally:
                db.session.rollback()
                db.session.remove()

    def second_reaches_its_first_write(conn, cursor, statement, *args):
        # the count of administrators comes before any write, so it has been taken by now
        if second_thread.get("id") == threading.get_ident() and statement.lstrip().upper().startswith("UPDATE"):
            second_has_counted.set()

    def first():
        take_away_admin(second_id, "first", lambda: (first_holds_its_change.set(), second_has_counted.wait(3)))

    def second():
        second_thread["id"] = threading.get_ident()
        first_holds_its_change.wait(10)
        take_away_admin(first_id, "second")

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", second_reaches_its_first_write)
    try:
        threads = [threading.Thread(target=first), threading.Thread(target=second)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)
    finally:
        event.remove(engine, "before_cursor_execute", second_reaches_its_first_write)

    with app.app_context():
        active_admins = db.session.scalar(select(func.count()).select_from(User).where(
            User.role == "admin", User.is_active.is_(True)))
    assert active_admins == 1, outcome
    refused = [result for result in outcome.values() if result != "changed"]
    assert len(outcome) == 2 and len(refused) == 1, outcome
    assert "only active administrator" in refused[0]


def test_another_administrator_can_be_demoted(app, admin, make_user):
    client, _, _ = admin
    second_id, _ = make_user("admin")
    response = post_form(client, app, f"/admin/users/{second_id}/role", {"role": "manager", "version": "1"})
    assert response.status_code == 302
    assert user_state(app, second_id)["role"] == "manager"


def test_the_only_active_administrator_cannot_be_deactivated(app, make_user):
    """The pages cannot reach this rule (the only active administrator could only be deactivating
    themselves, refused first), so it is checked on the operation both the pages and scripts use."""
    admin_id, _ = make_user("admin")
    manager_id, _ = make_user("manager")
    with app.app_context():
        target, actor = db.session.get(User, admin_id), db.session.get(User, manager_id)
        with pytest.raises(operations.AccountError, match="only active administrator"):
            operations.deactivate_user(target, actor=actor, version=1)
        db.session.rollback()
    assert user_state(app, admin_id)["is_active"] is True
    assert audit_entries(app, "account.deactivated") == []


def test_an_administrator_cannot_deactivate_themselves(app, admin, make_user):
    client, admin_id, _ = admin
    make_user("admin")  # so "only administrator" is not the reason

    response = post_form(client, app, f"/admin/users/{admin_id}/deactivate", {"version": "1"})

    assert response.status_code == 400
    page = Page(response)
    assert page.title.startswith("Error: ")
    assert "You cannot deactivate your own account" in page.summary_errors
    assert page.field_errors.get("submit") == "You cannot deactivate your own account"
    state = user_state(app, admin_id)
    assert state["is_active"] is True and state["version"] == 1
    assert audit_entries(app, "account.deactivated") == []
    assert_signed_in(client)


# --- deactivating and reactivating -------------------------------------------------------------

def assert_active_changed(app, response, user_id, actor_id, action, *, active, version):
    """The account is now active (or not) at that version, and one audit entry says who changed it."""
    assert response.status_code == 302
    state = user_state(app, user_id)
    assert state["is_active"] is active and state["version"] == version
    [entry] = audit_entries(app, action)
    assert entry["changes"] == {"is_active": [not active, active]} and entry["actor_id"] == actor_id


def test_deactivating_ends_the_session_and_sign_in_gives_the_generic_message(app, admin, make_user):
    client, admin_id, _ = admin
    officer_id, officer_name = make_user("officer")
    officer_client = new_client(app, officer_name)

    response = post_form(client, app, f"/admin/users/{officer_id}/deactivate", {"version": "1"})

    assert_active_changed(app, response, officer_id, admin_id, "account.deactivated", active=False, version=2)
    assert live_sessions(app, officer_id) == 0
    assert_signed_out(officer_client)
    listing = Page(client.get("/admin/users"))
    assert [officer_name, officer_name, "IOM officer", "Deactivated"] in [row[:4] for row in listing.rows]

    # the right password gets exactly the answer a wrong one gets
    right = sign_in(app.test_client(), app, officer_name, DEFAULT_PASSWORD)
    wrong = sign_in(app.test_client(), app, officer_name, "not the password at all")
    assert right.status_code == wrong.status_code == 200
    assert Page(right).summary_errors == Page(wrong).summary_errors == [GENERIC_FAILURE]
    assert Page(right).field_errors == Page(wrong).field_errors
    assert live_sessions(app, officer_id) == 0


def test_reactivating_lets_the_person_sign_in_again(app, admin, make_user):
    client, admin_id, _ = admin
    officer_id, officer_name = make_user("officer")
    assert post_form(client, app, f"/admin/users/{officer_id}/deactivate", {"version": "1"}).status_code == 302
    page = Page(client.get(f"/admin/users/{officer_id}"))
    assert page.value("version", "/reactivate") == "2"

    response = post_form(client, app, f"/admin/users/{officer_id}/reactivate", {"version": "2"})

    assert_active_changed(app, response, officer_id, admin_id, "account.reactivated", active=True, version=3)
    assert_signed_in(new_client(app, officer_name))


# --- resetting a password ---------------------------------------------------------------------

def test_reset_password_forces_a_change_and_ends_sessions(app, admin, make_user):
    client, admin_id, _ = admin
    officer_id, officer_name = make_user("officer")
    officer_client = new_client(app, officer_name)
    old_hash = user_state(app, officer_id)["password_hash"]

    response = post_form(client, app, f"/admin/users/{officer_id}/password",
                         {"password": TEMPORARY_PASSWORD, "version": "1"})

    assert response.status_code == 302
    state = user_state(app, officer_id)
    assert state["must_change_password"] is True and state["version"] == 2
    assert state["password_hash"] != old_hash
    [entry] = audit_entries(app, "account.password_reset")
    assert entry["actor_id"] == admin_id
    assert state["password_hash"] not in str(entry) and TEMPORARY_PASSWORD not in str(entry)
    assert live_sessions(app, officer_id) == 0
    assert_signed_out(officer_client)

    assert Page(sign_in(app.test_client(), app, officer_name, DEFAULT_PASSWORD)).summary_errors == [GENERIC_FAILURE]
    fresh = new_client(app, officer_name, TEMPORARY_PASSWORD)
    response = fresh.get("/")
    assert response.status_code == 302 and location(response) == "/account/password"


def test_reset_password_with_a_weak_password_changes_nothing(app, admin, make_user):
    client, _, _ = admin
    officer_id, officer_name = make_user("officer")
    officer_client = new_client(app, officer_name)
    before = user_state(app, officer_id)

    response = post_form(client, app, f"/admin/users/{officer_id}/password",
                         {"password": "Password123!", "version": "1"})

    assert response.status_code == 400
    assert_field_error(Page(response), "password",
                       "Password is too common. Choose a password that is harder to guess, "
                       "such as three random words")
    assert user_state(app, officer_id) == before
    assert audit_entries(app, "account.password_reset") == []
    assert_signed_in(officer_client)


# --- requests that are refused outright -------------------------------------------------------

@pytest.mark.parametrize("action, data", [
    ("new", VALID_NEW_USER),
    ("{id}/role", {"role": "manager", "version": "1"}),
    ("{id}/password", {"password": TEMPORARY_PASSWORD, "version": "1"}),
    ("{id}/deactivate", {"version": "1"}),
])
def test_a_post_without_a_csrf_token_is_refused(app, admin, make_user, action, data):
    client, _, _ = admin
    officer_id, officer_name = make_user("officer")
    officer_client = new_client(app, officer_name)
    before = (count_users(app), user_state(app, officer_id), len(audit_entries(app)))

    response = client.post("/admin/users/" + action.format(id=officer_id), data=data)

    assert response.status_code == 400
    assert "Your form has expired" in Page(response).title
    assert (count_users(app), user_state(app, officer_id), len(audit_entries(app))) == before
    assert_signed_in(officer_client)


def test_reactivate_without_a_csrf_token_is_refused(app, admin, make_user):
    client, _, _ = admin
    officer_id, _ = make_user("officer")
    assert post_form(client, app, f"/admin/users/{officer_id}/deactivate", {"version": "1"}).status_code == 302
    response = client.post(f"/admin/users/{officer_id}/reactivate", data={"version": "2"})
    assert response.status_code == 400
    assert user_state(app, officer_id)["is_active"] is False


@pytest.mark.parametrize("method, suffix", [
    ("get", ""), ("post", "/role"), ("post", "/password"), ("post", "/deactivate"), ("post", "/reactivate"),
])
def test_an_unknown_user_is_not_found(app, admin, method, suffix):
    client, _, _ = admin
    if method == "get":
        response = client.get(f"/admin/users/9999{suffix}")
    else:
        response = post_form(client, app, f"/admin/users/9999{suffix}",
                             {"role": "manager", "password": TEMPORARY_PASSWORD, "version": "1"})
    assert response.status_code == 404


def test_a_user_id_too_big_for_the_database_is_not_found(app, admin):
    """A hand-typed id longer than any integer column is an unknown user, not a server error."""
    client, _, _ = admin
    app.config["PROPAGATE_EXCEPTIONS"] = False
    assert client.get("/admin/users/99999999999999999999").status_code == 404


@pytest.mark.parametrize("role", ["manager", "officer", "housing", "reviewer"])
def test_only_administrators_manage_accounts(app, signed_in, role):
    client, user_id = signed_in(role)
    assert client.get("/admin/users").status_code == 403
    before = count_users(app)
    assert post_form(client, app, "/admin/users/new", VALID_NEW_USER).status_code == 403
    assert post_form(client, app, f"/admin/users/{user_id}/role",
                     {"role": "admin", "version": "1"}).status_code == 403
    assert count_users(app) == before
    assert user_state(app, user_id)["role"] == role
