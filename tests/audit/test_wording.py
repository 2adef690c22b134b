"""The audit trail in words (iom/audit/wording.py): every action the code records has a label, each
kind of change reads as the rest of the service shows it, a list's filters read as a sentence, the
records named by number are looked up in one query for a whole page, and the entries are unchanged."""
import ast
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select

from iom import audit
from iom.audit import verify_chain, wording
from iom.audit.models import AuditEntry
from iom.auth import operations as auth_operations
from iom.auth.models import User
from iom.clients import operations as client_operations
from iom.clients.models import SchemePeriod
from iom.custody.operations import record_custody_event
from iom.extensions import db
from iom.watch import operations as watch_operations
from tests import builders
from tests.builders import add_client, client_named
from tests.pages import DEFAULT_PASSWORD, plain, sign_in

ROOT = Path(__file__).resolve().parents[2]


# --- every action the code records has a label ----------------------------------------------------

def _is_record(call: ast.Call) -> bool:
    function = call.func
    return ((isinstance(function, ast.Attribute) and function.attr == "record"
             and isinstance(function.value, ast.Name) and function.value.id == "audit")
            or (isinstance(function, ast.Name) and function.id == "record"))


def _called_name(call: ast.Call) -> str | None:
    function = call.func
    return function.attr if isinstance(function, ast.Attribute) else getattr(function, "id", None)


def recorded_actions(package: Path) -> tuple[set[str], list[str]]:
    """Every action name audit.record() is given under `package`, read from the source: a string
    written in the call; a name assigned strings in the same function (`action = "a" if .. else "b"`);
    or a parameter of a helper that passes it on (auth.access.not_found), whose callers give the string.
    Returns (actions, the calls whose action could not be worked out)."""
    trees = {path: ast.parse(path.read_text(), str(path)) for path in sorted(package.rglob("*.py"))}
    actions, unknown, relays = set(), [], set()
    for path, tree in trees.items():
        for function in (node for node in ast.walk(tree) if isinstance(node, ast.FunctionDef)):
            for call in (node for node in ast.walk(function) if isinstance(node, ast.Call) and _is_record(node)):
                argument = call.args[0] if call.args else None
                if isinstance(argument, ast.Constant) and isinstance(argument.value, str):
                    actions.add(argument.value)
                elif isinstance(argument, ast.Name) and argument.id in [a.arg for a in function.args.args]:
                    relays.add((function.name, [a.arg for a in function.args.args].index(argument.id)))
                elif isinstance(argument, ast.Name) and (assigned := [
                        node.value for node in ast.walk(function) if isinstance(node, ast.Assign)
                        and any(isinstance(target, ast.Name) and target.id == argument.id for target in node.targets)]):
                    actions.update(node.value for value in assigned for node in ast.walk(value)
                                   if isinstance(node, ast.Constant) and isinstance(node.value, str))
                else:
                    unknown.append(f"{path.relative_to(package.parent)}:{call.lineno}")
    for path, tree in trees.items():
        for call in (node for node in ast.walk(tree) if isinstance(node, ast.Call)):
            for name, index in relays:
                if _called_name(call) == name and len(call.args) > index:
                    argument = call.args[index]
                    if isinstance(argument, ast.Constant) and isinstance(argument.value, str):
                        actions.add(argument.value)
                    else:
                        unknown.append(f"{path.relative_to(package.parent)}:{call.lineno}")
    return actions, unknown


def test_every_action_the_code_records_has_a_label():
    actions, unknown = recorded_actions(ROOT / "iom")
    assert not unknown, f"audit.record() calls whose action cannot be read from the source: {unknown}"
    # the scan finds actions however they are passed: written in the call, chosen, or relayed
    assert {"sign_in.succeeded", "sac_count.corrected", "client.not_found", "import.refused"} <= actions
    missing = sorted(actions - set(wording.ACTIONS))
    assert not missing, f"actions with no label in iom/audit/wording.py ACTIONS: {missing}"


def test_the_scan_finds_a_new_action_wherever_it_is_written(tmp_path):
    package = tmp_path / "iom"
    package.mkdir()
    (package / "area.py").write_text(
        "from iom import audit\n"
        "def relay(action, what):\n    audit.record(action, what)\n"
        "def change(old):\n    audit.record('brand.new', 'x')\n"
        "    chosen = 'brand.first' if old is None else 'brand.again'\n    audit.record(chosen, 'y')\n"
        "def view():\n    relay('brand.relayed', 'z')\n")
    actions, unknown = recorded_actions(package)
    assert actions == {"brand.new", "brand.first", "brand.again", "brand.relayed"} and not unknown


def test_labels_are_words():
    for table in (wording.ACTIONS, wording.FIELDS, wording.SUBJECTS):
        for name, label in table.items():
            assert label and label[0].isupper() or label.startswith("the"), (name, label)
            assert "_" not in label and "." not in label.rstrip("."), (name, label)
    assert wording.action_label("not.yet_labelled") == "Not yet labelled"  # never the raw name on screen


# --- each kind of change --------------------------------------------------------------------------

def entries_for(app, **where) -> list[AuditEntry]:
    query = select(AuditEntry).order_by(AuditEntry.seq)
    for column, value in where.items():
        query = query.where(getattr(AuditEntry, column) == value)
    return list(db.session.scalars(query))


def words(app, action: str, **kwargs) -> wording.EntryInWords:
    """The newest entry of `action`, in words."""
    return wording.describe([entries_for(app, action=action)[-1]], **kwargs)[0]


def fields(row: wording.EntryInWords) -> dict[str, tuple]:
    return {change.label: (change.before, change.after) for change in row.changes}


@pytest.fixture
def officer(make_user):
    officer_id, username = make_user("officer", display_name="J Smith")
    return officer_id, username


def test_a_clients_details_read_as_the_client_page_shows_them(app, officer):
    officer_id, _ = officer
    reference = add_client(app)
    with app.app_context():
        client = client_named(reference)
        client_operations.update_client(client, {"offender_manager_id": officer_id, "risk_level": "very_high",
                                                 "date_of_birth": date(1990, 3, 1), "alcohol_related": "yes",
                                                 "programme": "dip"}, version=client.version)
        db.session.commit()
        row = words(app, "client.updated")
        added = words(app, "client.added")
    assert row.what == "Details changed" and row.record == f"Client {reference}"
    assert fields(row) == {"Date of birth": (None, "1 March 1990"), "Programme": ("Other", "DIP"),
                           "Alcohol-related offending": ("Not known", "Yes"), "Risk level": (None, "Very high"),
                           "Offender manager": (None, "J Smith")}
    assert [change.label for change in row.changes] == ["Date of birth", "Programme", "Alcohol-related offending",
                                                        "Risk level", "Offender manager"]  # as the form asks
    assert fields(added)["Strand"] == (None, "Catch and convict")
    assert fields(added)["Joined the scheme"] == (None, "1 April 2011")


def test_a_field_taken_away_reads_as_not_recorded(app, officer):
    officer_id, _ = officer
    reference = add_client(app, officer_id=officer_id)
    with app.app_context():
        client = client_named(reference)
        client_operations.update_client(client, {"offender_manager_id": None, "ward": None}, version=client.version)
        db.session.commit()
        assert fields(words(app, "client.updated")) == {"Offender manager": ("J Smith", "Not assigned")}


def test_scheme_periods_custody_and_notes(app, officer):
    officer_id, _ = officer
    reference = add_client(app)
    with app.app_context():
        client = client_named(reference)
        period = db.session.scalars(select(SchemePeriod).where(SchemePeriod.client_id == client.id)).one()
        client_operations.leave_scheme(client, period, left_on=date(2011, 9, 30), exit_reason="moved_away",
                                       version=period.version)
        record_custody_event(client, status="remand", from_date=date(2011, 10, 3), establishment="HMP Leeds",
                             expected_release_on=None, recorded_by=db.session.get(User, officer_id))
        db.session.commit()
        left, custody = words(app, "scheme_period.left"), words(app, "custody.recorded")
    assert left.what == "Left the scheme"
    assert fields(left)["Left the scheme"] == (None, "30 September 2011")
    assert fields(left)["Reason for leaving"] == (None, "Moved away")
    assert custody.what == "Custody change recorded"
    assert fields(custody)["Status"] == (None, "On remand") and fields(custody)["From"] == (None, "3 October 2011")
    assert fields(custody)["Establishment"] == (None, "HMP Leeds")
    assert fields(custody)["Expected release"] == (None, "Not recorded")


def test_a_referral_reads_with_yes_no_dates_and_the_agency_by_name(app, make_referral, make_agency):
    reference = add_client(app)
    agency_id = make_agency("Shelter (demo)")
    make_referral(reference, agency_id=agency_id, agency_other=None, duty_to_refer_made=True,
                  duty_to_refer_on=date(2011, 5, 2), duty_to_refer_local_authority="Leeds",
                  duty_to_refer_outcome="relief_duty", referred_on=date(2011, 5, 1))
    with app.app_context():
        row = words(app, "referral.made")
    assert row.what == "Referral made"
    shown = fields(row)
    assert shown["Referral number"][1].isdigit() and shown["Kind"] == (None, "Housing")
    assert shown["Agency"] == (None, "Shelter (demo)")
    assert shown["Duty to Refer made"] == (None, "Yes")  # never "True"
    assert shown["Date of the Duty to Refer"] == (None, "2 May 2011")
    assert shown["Local authority's response"] == (None, "Relief duty owed")
    assert shown["Status"] == (None, "Open")


def test_money_purposes_and_people_on_support_payments(app, staff, make_request, approve):
    reference = add_client(app)
    payment_id = make_request(reference)
    approve(payment_id)
    with app.app_context():
        requested, approved = words(app, "payment.requested"), words(app, "payment.approved")
    assert fields(requested)["Amount"] == (None, "£70.00")
    assert fields(requested)["Purpose"] == (None, "Travel to an interview")
    assert fields(requested)["Date paid"] == (None, "5 October 2011")
    assert fields(approved)["Status"] == ("Waiting for approval", "Approved")
    assert fields(approved)["Left in the budget"] == ("£1,000.00", "£930.00")


def test_a_watch_list_adoption_names_the_client(app):
    with app.app_context():
        entry = builders.watch(date(2011, 5, 1))
        client = client_operations.add_client({"given_name": "Watched", "family_name": "Person"},
                                              strand="prevent_deter", joined_on=date(2011, 6, 1))
        watch_operations.mark_adopted(entry, client)
        db.session.commit()
        row = words(app, "watch_entry.adopted")
        reference = client.reference
    assert row.what == "Adopted from the watch list" and row.record.startswith("Watch list entry ")
    assert fields(row)["Adopted as client"] == (None, reference)
    assert fields(row)["Outcome"] == (None, "Adopted onto the scheme")


def test_accounts_roles_and_passwords(app, make_user):
    user_id, username = make_user("officer", username="jsmith", display_name="J Smith")
    with app.app_context():
        user = db.session.get(User, user_id)
        auth_operations.change_role(user, "manager", version=user.version)
        auth_operations.change_own_password(user, DEFAULT_PASSWORD, "a different long phrase 42")
        db.session.commit()
        role, password = words(app, "account.role_changed"), words(app, "account.password_changed")
    assert role.record == "Account jsmith"  # an account by its username
    assert fields(role) == {"Role": ("IOM officer", "Manager")}
    assert password.what == "Password changed" and fields(password) == {"Password": (None, "Not shown")}
    assert (password.who, password.username) == ("J Smith", "jsmith")


def test_sign_in_and_who_acted_when_nobody_was_signed_in(app, client, make_user):
    _, username = make_user("officer", display_name="Ann Officer")
    sign_in(client, app, username)
    sign_in(app.test_client(), app, username, "not the password at all")
    with app.app_context():
        signed_in, failed = words(app, "sign_in.succeeded"), words(app, "sign_in.failed")
        with audit.acting_as("system (command line)"):
            audit.record("figures.checked", "Monthly check", subject=("month", "2011-10"))
        checked = words(app, "figures.checked")
    assert (signed_in.what, signed_in.who, signed_in.record) == ("Signed in", "Ann Officer", f"Account {username}")
    assert (failed.what, failed.who) == ("Sign-in failed", "Someone not signed in")
    assert fields(failed)["Username"] == (None, username)
    assert (checked.who, checked.record) == ("The command line", "Month, October 2011")


def test_figures_read_in_months_and_strand_names(app):
    with app.app_context():
        audit.record("scheme_rule.set", "rule", subject=("scheme_rule", "2011-10"),
                     changes={"minimum": [70, 65], "counted_strands": [["catch_convict"],
                                                                      ["catch_convict", "resettle_rehabilitate"]],
                              "effective_from": [None, "2011-10"]})
        audit.record("sac_count.corrected", "sac", subject=("sac_count", "2011-10"), changes={"crimes": [81, 1079]})
        rule, sac = words(app, "scheme_rule.set"), words(app, "sac_count.corrected")
    assert rule.record == "Minimum cohort rule, October 2011"
    assert fields(rule) == {"Minimum cohort": ("70", "65"), "From": (None, "October 2011"),
                            "Strands counted": ("Catch and convict", "Catch and convict, Resettle and rehabilitate")}
    assert sac.record == "Serious acquisitive crime count, October 2011"
    assert fields(sac) == {"Serious acquisitive crimes": ("81", "1,079")}


def test_offence_entries_read_in_words_ahead_of_the_pages_that_write_them(app):
    """Keyed by action and field name, so the offending area's entries read in words when they land."""
    reference = add_client(app)
    with app.app_context():
        client = client_named(reference)
        audit.record("offence.recorded", "recorded", subject=client,
                     changes={"offence": [None, 7], "offence_on": [None, "2011-06-04"],
                              "offence_type": [None, "theft_from_vehicle"], "outcome": [None, "convicted"],
                              "crime_reference": [None, "13/123456/11"], "alcohol_involved": [None, "unknown"]})
        audit.record("offence_unit_cost.set", "set", subject=("offence_unit_cost", "robbery"),
                     changes={"cost_gbp": ["11320.00", "12000.50"], "price_year": ["2015-16", "2017-18"],
                              "is_default": [True, False]})
        offence, cost = words(app, "offence.recorded"), words(app, "offence_unit_cost.set")
    assert offence.what == "Offence recorded" and offence.record == f"Client {reference}"
    assert fields(offence) == {"Offence number": (None, "7"), "Date of the offence": (None, "4 June 2011"),
                               "Type of offence": (None, "Theft from a vehicle"), "Outcome": (None, "Convicted"),
                               "Crime reference": (None, "13/123456/11"), "Alcohol involved": (None, "Not known")}
    assert cost.record == "Cost of crime: Robbery"
    assert fields(cost) == {"Cost": ("£11,320.00", "£12,000.50"), "Price year": ("2015-16", "2017-18"),
                            "Published figure": ("Yes", "No")}


def test_unknown_fields_and_odd_values_never_break_the_words(app):
    with app.app_context():
        audit.record("test.odd", "odd", subject=("client", "not-a-number"),
                     changes={"brand_new_field": [None, {"nested": [1, 2]}], "offender_manager_id": [None, "9" * 30],
                              "amount_gbp": [None, "not money"], "from_date": [None, "2011-02-30"],
                              "loose": "not a pair", "when": [None, "2011-04-01 09:30:00+00:00"]})
        row = words(app, "test.odd")
    shown = fields(row)
    assert shown["Brand new field"] == (None, "Nested: 1, 2")
    assert shown["Offender manager"] == (None, "Number " + "9" * 30)
    assert shown["Amount"] == (None, "not money") and shown["From"] == (None, "2011-02-30")
    assert shown["Loose"] == (None, "not a pair")
    assert shown["When"] == (None, "1 April 2011, 10:30am")  # a moment in UK time (BST)
    assert row.record == "Client number not-a-number"


# --- a list's filters as a sentence ---------------------------------------------------------------

def test_the_caseload_view_reads_as_the_filters_chosen(app, client, officer, make_user):
    officer_id, _ = officer
    _, manager = make_user("manager")
    sign_in(client, app, manager)
    assert client.get(f"/clients?officer={officer_id}&strand=catch_convict").status_code == 200
    # the caseload is paged by keyset (?after=N); the entry keeps the page's number, 1 here
    assert client.get("/clients?officer=none&scheme=left&sort=custody&direction=desc&q=ann").status_code == 200
    assert client.get("/clients?officer=").status_code == 200
    assert client.get("/clients?officer=&tier=none&sort=tier").status_code == 200
    assert client.get("/clients?officer=&tier=flex").status_code == 200
    with app.app_context():
        first, second, third, no_tier, flex = wording.describe(entries_for(app, action="clients.listed"))
        hidden = wording.describe(entries_for(app, action="clients.listed"), show_values=lambda entry: False)
    assert first.what == "Viewed the caseload, filtered by officer J Smith and strand Catch and convict"
    assert second.what == ("Viewed the caseload, filtered by search “ann”, no offender manager and people who have "
                           "left the scheme, sorted by custody status in reverse order")
    assert third.what == "Viewed the caseload"  # everyone on the scheme by name: no filter at all
    assert no_tier.what == "Viewed the caseload, filtered by no cohort tier set, sorted by cohort tier"
    assert flex.what == "Viewed the caseload, filtered by tier Flex"
    assert first.record == "The caseload" and first.changes == []  # the filters are in the sentence
    # an administrator sees which filters were used, never what they were
    assert hidden[0].what == "Viewed the caseload, filtered by officer and strand"
    assert "ann" not in hidden[1].what


def test_the_audit_trail_and_watch_list_views_read_as_sentences(app, client, officer, make_user):
    officer_id, _ = officer
    _, manager = make_user("manager")
    sign_in(client, app, manager)
    client.get(f"/audit?user={officer_id}&subject_type=client&action=sign_in.succeeded&from=1/4/2011")
    client.get("/watch-list?status=closed")
    client.get("/audit?user=" + "9" * 40 + "&subject_id=" + "x" * 500 + "&colour=blue")
    with app.app_context():
        audit_view, odd = wording.describe(entries_for(app, action="audit.viewed"))
        watch_view = words(app, "watch.listed")
    assert audit_view.what == ("Viewed the audit trail, filtered by who J Smith, what Signed in, record type Client "
                               "and from 1 April 2011")
    assert watch_view.what == "Viewed the watch list, filtered by status Closed"
    assert odd.what == ("Viewed the audit trail, filtered by who Number " + "9" * 40 + ", record number “"
                        + "x" * 60 + "…” and colour “blue”")


# --- one query for the whole page; the record itself unchanged --------------------------------------

def test_the_records_entries_name_are_looked_up_in_one_query(app, count_queries, make_user, make_agency):
    people = [make_user("officer")[0] for _ in range(4)]
    agency_id = make_agency("Shelter (demo)")
    references = [add_client(app, family=f"Named{number}") for number in range(4)]
    with app.app_context():
        for number in range(40):
            audit.record("client.updated", "changed", subject=client_named(references[number % 4]),
                         changes={"offender_manager_id": [people[number % 4], people[(number + 1) % 4]],
                                  "agency_id": [None, agency_id]})
        db.session.commit()
        few, many = entries_for(app)[-5:], entries_for(app)
        for entry in many:
            assert entry.actor is None or entry.actor.username  # the actor is loaded with the entry
        with count_queries() as for_few:
            wording.describe(few)
        with count_queries() as for_many:
            described = wording.describe(many)
    assert for_few.count == for_many.count == 1, for_many.statements
    assert {row.record for row in described if row.entry.action == "client.updated"} == \
        {f"Client {reference}" for reference in references}


def test_describing_changes_nothing_in_the_record(app, client, make_user):
    _, manager = make_user("manager")
    sign_in(client, app, manager)
    add_client(app)
    with app.app_context():
        before = [(entry.seq, entry.action, entry.summary, entry.changes, entry.entry_hash) for entry in entries_for(app)]
    assert client.get("/audit").status_code == 200
    with app.app_context():
        wording.describe(entries_for(app), iso_dates=True)
        after = [(entry.seq, entry.action, entry.summary, entry.changes, entry.entry_hash)
                 for entry in entries_for(app)][:len(before)]
        assert after == before and verify_chain().is_intact


def test_a_file_gets_iso_dates(app):
    with app.app_context():
        audit.record("custody.recorded", "c", changes={"from_date": [None, "2011-10-03"],
                                                       "recorded_at": [None, "2011-10-03 09:30:00+00:00"]})
        row = words(app, "custody.recorded", iso_dates=True)
    assert fields(row) == {"From": (None, "2011-10-03"), "Recorded": (None, "2011-10-03T09:30:00+00:00")}
    assert row.changes_text == "From: 2011-10-03; Recorded: 2011-10-03T09:30:00+00:00"


def test_one_code_two_labels_is_refused_at_start_up():
    assert wording.merged({"open": "Open"}, {"open": "Open", "closed": "Closed"}) == {"open": "Open",
                                                                                     "closed": "Closed"}
    with pytest.raises(ValueError, match="'open' is both 'Open' and 'Opened'"):
        wording.merged({"open": "Open"}, {"open": "Opened"})


# --- on the pages ---------------------------------------------------------------------------------

def test_the_client_pages_change_history_is_in_words(app, client, officer, make_user, make_referral):
    officer_id, _ = officer
    reference = add_client(app)
    make_referral(reference, duty_to_refer_made=True, duty_to_refer_on=date(2011, 5, 2),
                  duty_to_refer_local_authority="Leeds", duty_to_refer_outcome="pending",
                  referred_on=date(2011, 5, 1))
    with app.app_context():
        person = client_named(reference)
        client_operations.update_client(person, {"offender_manager_id": officer_id}, version=person.version)
        db.session.commit()
    _, manager = make_user("manager", display_name="Mo Manager")
    sign_in(client, app, manager)
    page = plain(client.get(f"/clients/{reference}/history"))
    history = page[page.index("Changes to this client, newest first"):]
    assert "Details changed Offender manager J Smith" in history
    assert "Referral made Referral number" in history and "Duty to Refer made Yes" in history
    assert "Date referred 1 May 2011" in history and "Strand Catch and convict" in history
    for raw in ("True", "catch_convict", "offender manager id", "duty to refer made", "2011-05-01", "—"):
        assert raw not in history, raw


def test_the_watch_entrys_history_is_in_words(app, client, make_user):
    _, officer = make_user("officer")
    sign_in(client, app, officer)
    entry_id = builders.make_entry(app)
    page = plain(client.get(f"/watch-list/{entry_id}"))
    history = page[page.index("Changes to this entry, newest first"):]
    assert "Added to the watch list" in history and "Why they are on the watch list" in history


def test_the_audit_trail_page_is_in_words(app, client, make_user):
    officer_id, _ = make_user("officer", username="jsmith", display_name="J Smith")
    _, manager = make_user("manager")
    with app.app_context():
        user = db.session.get(User, officer_id)
        auth_operations.change_role(user, "manager", version=user.version)
        db.session.commit()
    sign_in(client, app, manager)
    client.get(f"/clients?officer={officer_id}&strand=catch_convict")
    page = plain(client.get("/audit"))
    assert "Viewed the caseload, filtered by officer J Smith and strand Catch and convict" in page
    assert "Role changed" in page and "Account jsmith" in page and "Role IOM officer → changed to Manager" in page
    for raw in ("sign_in.succeeded", "user_account", "{'", "account.role_changed"):
        assert raw not in page, raw



def test_a_change_history_runs_the_same_queries_for_2_or_60_entries(app, client, count_queries, make_user,
                                                                     make_agency):
    """The client page and a watch list entry: the people and agencies their histories name, looked up once."""
    people = [make_user("officer", display_name=f"Officer {number}")[0] for number in range(6)]
    agencies = [make_agency(f"Agency {number}") for number in range(3)]
    short, long = add_client(app, family="Short"), add_client(app, family="Long")
    short_entry, long_entry = builders.make_entry(app), builders.make_entry(app, family_name="Longer")
    with app.app_context():
        person = client_named(short)
        client_operations.update_client(person, {"offender_manager_id": people[0]}, version=person.version)
        person = client_named(long)
        for number in range(60):
            audit.record("client.updated", "changed", subject=person,
                         changes={"offender_manager_id": [people[number % 6], people[(number + 1) % 6]],
                                  "agency_id": [None, agencies[number % 3]]})
            audit.record("watch_entry.updated", "changed", subject=("watch_entry", long_entry),
                         changes={"client_id": [None, person.id], "reason": [None, f"Reason {number}"]})
        db.session.commit()
    _, manager = make_user("manager")
    sign_in(client, app, manager)
    measured = {}
    for url in (f"/clients/{short}/history", f"/clients/{long}/history", f"/watch-list/{short_entry}",
                f"/watch-list/{long_entry}"):
        assert client.get(url).status_code == 200
        with count_queries() as counter:
            response = client.get(url)
        measured[url] = (counter.count, plain(response))
    assert measured[f"/clients/{short}/history"][0] == measured[f"/clients/{long}/history"][0]
    assert measured[f"/watch-list/{short_entry}"][0] == measured[f"/watch-list/{long_entry}"][0]
    assert measured[f"/clients/{long}/history"][1].count("Offender manager Officer") == 60
    assert measured[f"/watch-list/{long_entry}"][1].count(f"Adopted as client {long}") == 60
