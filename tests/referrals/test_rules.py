"""The referral rules, checked at the operations every page (and any later importer) goes
through: the contract's closing-date rules, outcomes, next actions, the Duty to Refer, agencies,
status history, audit and stale edits."""
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from iom.audit.models import AuditEntry
from iom.clients.models import Client
from iom.extensions import db
from iom.referrals import operations
from iom.referrals.models import Referral, ReferralStatusChange
from iom.rules import RuleBroken, StaleEdit
from tests.builders import TODAY, client_named, housing_details, mental_health_details, referral_state

REFERRED = TODAY - timedelta(days=10)


def make(app, reference, kind="housing", **overrides) -> int:
    details = (housing_details if kind == "housing" else mental_health_details)(**overrides)
    with app.app_context():
        referral = operations.make_referral(client_named(reference), kind, details)
        db.session.commit()
        return referral.id


def refused(app, reference, kind="housing", **overrides) -> RuleBroken:
    details = (housing_details if kind == "housing" else mental_health_details)(**overrides)
    with app.app_context():
        before = db.session.scalar(select(func.count()).select_from(Referral))
        with pytest.raises(RuleBroken) as caught:
            operations.make_referral(client_named(reference), kind, details)
        db.session.rollback()
        assert db.session.scalar(select(func.count()).select_from(Referral)) == before
    return caught.value


def update(app, referral_id, version=None, **changes) -> dict:
    with app.app_context():
        referral = db.session.get(Referral, referral_id)
        client = db.session.get(Client, referral.client_id)
        details = {**operations.referral_snapshot(referral), **changes}
        result = operations.update_referral(referral, client, details,
                                            version=referral.version if version is None else version)
        db.session.commit()
        return result


def history(app, referral_id) -> list[tuple]:
    with app.app_context():
        return [(change.from_status, change.to_status, change.changed_on) for change in db.session.scalars(
            select(ReferralStatusChange).where(ReferralStatusChange.referral_id == referral_id)
            .order_by(ReferralStatusChange.id))]


# --- making -----------------------------------------------------------------------------------

def test_a_housing_referral_with_a_duty_to_refer_is_saved_with_its_history_and_audit(app, make_client):
    ref = make_client()
    referral_id = make(app, ref, duty_to_refer_made=True, duty_to_refer_on=REFERRED,
                       duty_to_refer_local_authority=" Leeds City Council ", duty_to_refer_outcome="pending")
    state = referral_state(app, referral_id)
    assert state["kind"] == "housing" and state["status"] == "open" and state["closed_on"] is None
    assert state["duty_to_refer_made"] is True and state["duty_to_refer_local_authority"] == "Leeds City Council"
    assert state["agency_other"] == "Shelter" and state["agency_id"] is None
    assert history(app, referral_id) == [(None, "open", REFERRED)]
    with app.app_context():
        entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "referral.made"))
        client_id = client_named(ref).id
    assert (entry.subject_type, entry.subject_id) == ("client", str(client_id))
    assert entry.changes["referral"] == [None, referral_id]
    assert entry.changes["kind"] == [None, "housing"]
    assert entry.changes["duty_to_refer_on"] == [None, REFERRED.isoformat()]


@pytest.mark.parametrize("overrides, field, message", [
    ({"status": "completed", "closed_on": REFERRED - timedelta(days=1), "outcome": "settled_accommodation"},
     "closed_on", "Date closed must be the same as or after the date referred"),
    ({"status": "completed", "closed_on": REFERRED}, "outcome", "Select the outcome"),
    ({"status": "declined", "closed_on": None, "outcome": "no_change"}, "closed_on", "Enter date closed"),
    ({"status": "withdrawn", "closed_on": TODAY + timedelta(days=1), "outcome": "no_change"}, "closed_on",
     "Date closed must be today or in the past"),
    ({"status": "open", "closed_on": TODAY}, "closed_on", "Remove date closed"),
    ({"status": "accepted", "closed_on": TODAY}, "closed_on", "Remove date closed"),
    ({"status": "completed", "closed_on": TODAY, "outcome": "assessed"}, "outcome", "Select the outcome"),
    ({"status": "completed", "closed_on": TODAY, "outcome": "other"}, "outcome_notes", "Enter what the outcome was"),
    ({"status": "reopened"}, "status", "Select the status"),
    ({"referred_on": None}, "referred_on", "Enter date referred"),
    ({"referred_on": TODAY + timedelta(days=1)}, "referred_on", "Date referred must be today or in the past"),
    ({"agency_other": "  "}, "agency_id", "Select the agency"),
    ({"need": ""}, "need", "Enter what they need"),
    ({"need": "x" * 5_001}, "need", "5,000 characters or fewer"),
    ({"next_action_due_on": TODAY}, "next_action", "Enter the next action, or remove its due date"),
    ({"next_action": "Call the council"}, "next_action_due_on", "Enter when the next action is due"),
    ({"next_action": "Call", "next_action_due_on": REFERRED - timedelta(days=1)}, "next_action_due_on",
     "same as or after the date referred"),
    ({"duty_to_refer_made": None}, "duty_to_refer_made", "Select whether a Duty to Refer has been made"),
    ({"duty_to_refer_made": True, "duty_to_refer_local_authority": "Leeds", "duty_to_refer_outcome": "pending"},
     "duty_to_refer_on", "Enter date of the Duty to Refer"),
    ({"duty_to_refer_made": True, "duty_to_refer_on": TODAY + timedelta(days=1),
      "duty_to_refer_local_authority": "Leeds", "duty_to_refer_outcome": "pending"},
     "duty_to_refer_on", "Date of the Duty to Refer must be today or in the past"),
    ({"duty_to_refer_made": True, "duty_to_refer_on": TODAY, "duty_to_refer_outcome": "pending"},
     "duty_to_refer_local_authority", "Enter the local authority it was made to"),
    ({"duty_to_refer_made": True, "duty_to_refer_on": TODAY, "duty_to_refer_local_authority": "Leeds"},
     "duty_to_refer_outcome", "Select the local authority's response"),
    ({"duty_to_refer_made": True, "duty_to_refer_on": TODAY, "duty_to_refer_local_authority": "Leeds",
      "duty_to_refer_outcome": "granted"}, "duty_to_refer_outcome", "Select the local authority's response"),
])
def test_each_broken_rule_is_refused_on_its_field(app, make_client, overrides, field, message):
    error = refused(app, make_client(), **overrides)
    assert error.field == field and message in str(error), (error.field, str(error))


def test_closing_on_the_day_it_was_referred_is_allowed(app, make_client):
    referral_id = make(app, make_client(), status="completed", closed_on=REFERRED, outcome="settled_accommodation")
    state = referral_state(app, referral_id)
    assert (state["status"], state["closed_on"], state["outcome"]) == ("completed", REFERRED, "settled_accommodation")
    assert history(app, referral_id) == [(None, "completed", REFERRED)]


@pytest.mark.parametrize("status", ["completed", "declined", "withdrawn"])
def test_every_closed_status_needs_a_date_and_an_outcome(app, make_client, status):
    ref = make_client()
    assert refused(app, ref, status=status).field == "closed_on"
    assert refused(app, ref, status=status, closed_on=TODAY).field == "outcome"
    assert make(app, ref, status=status, closed_on=TODAY, outcome="no_change")


def test_mental_health_outcomes_and_no_duty_to_refer(app, make_client):
    ref = make_client()
    assert refused(app, ref, "mental_health", status="completed", closed_on=TODAY,
                   outcome="settled_accommodation").field == "outcome"
    referral_id = make(app, ref, "mental_health", status="completed", closed_on=TODAY, outcome="treatment_started",
                       duty_to_refer_made=True, duty_to_refer_local_authority="Leeds")
    state = referral_state(app, referral_id)
    assert state["outcome"] == "treatment_started"
    assert state["duty_to_refer_made"] is None and state["duty_to_refer_local_authority"] is None


def test_no_duty_to_refer_keeps_none_of_its_details(app, make_client):
    referral_id = make(app, make_client(), duty_to_refer_made=False, duty_to_refer_on=TODAY,
                       duty_to_refer_local_authority="Leeds", duty_to_refer_outcome="pending")
    state = referral_state(app, referral_id)
    assert state["duty_to_refer_made"] is False
    assert (state["duty_to_refer_on"], state["duty_to_refer_local_authority"], state["duty_to_refer_outcome"]) == \
        (None, None, None)


def test_an_open_referral_keeps_no_outcome(app, make_client):
    referral_id = make(app, make_client(), status="accepted", outcome="settled_accommodation", outcome_notes="x")
    state = referral_state(app, referral_id)
    assert state["status"] == "accepted" and state["outcome"] is None and state["outcome_notes"] is None


def test_an_unknown_kind_is_refused(app, make_client):
    with app.app_context():
        with pytest.raises(RuleBroken, match="Select the kind of referral"):
            operations.make_referral(client_named(make_client()), "drugs", housing_details())


def test_imported_rows_need_only_what_referrals_csv_carries(app, make_client):
    ref = make_client()
    with app.app_context():
        referral = operations.make_referral(client_named(ref), "housing", {
            "referred_on": date(2011, 5, 3), "status": "completed", "closed_on": date(2011, 6, 1)}, imported=True)
        db.session.commit()
        assert referral.outcome is None and referral.need is None and referral.duty_to_refer_made is None
        with pytest.raises(RuleBroken, match="same as or after the date referred"):
            operations.make_referral(client_named(ref), "housing", {
                "referred_on": date(2011, 5, 3), "status": "completed", "closed_on": date(2011, 5, 2)}, imported=True)
        db.session.rollback()


# --- agencies on referrals --------------------------------------------------------------------

def test_agency_must_be_in_use_and_take_this_kind(app, make_client, make_agency):
    ref = make_client()
    housing_only = make_agency("Housing Options", "housing")
    both = make_agency("Together Trust", "both")
    retired = make_agency("Old Hostel", "housing", is_active=False)
    assert make(app, ref, agency_id=housing_only, agency_other=None)
    assert make(app, ref, "mental_health", agency_id=both, agency_other=None)
    error = refused(app, ref, "mental_health", agency_id=housing_only, agency_other=None)
    assert error.field == "agency_id" and "is not in the list of mental health agencies" in str(error)
    assert refused(app, ref, agency_id=retired, agency_other=None).field == "agency_id"
    assert refused(app, ref, agency_id=999_999, agency_other=None).field == "agency_id"


def test_a_named_agency_wins_over_other_text(app, make_client, make_agency):
    agency_id = make_agency("Housing Options", "housing")
    state = referral_state(app, make(app, make_client(), agency_id=agency_id, agency_other="Typed too"))
    assert (state["agency_id"], state["agency_other"]) == (agency_id, None)


def test_a_referral_keeps_its_agency_after_the_agency_is_retired(app, make_client, make_agency):
    agency_id = make_agency("Housing Options", "housing")
    referral_id = make(app, make_client(), agency_id=agency_id, agency_other=None)
    with app.app_context():
        from iom.referrals.models import Agency
        agency = db.session.get(Agency, agency_id)
        operations.update_agency(agency, name=agency.name, kind="housing", is_active=False, version=agency.version)
        db.session.commit()
    assert update(app, referral_id, status="accepted") == {"status": ["open", "accepted"]}
    assert referral_state(app, referral_id)["agency_id"] == agency_id


# --- working a referral -----------------------------------------------------------------------

def test_status_changes_are_kept_in_the_history_and_audited_with_their_fields(app, make_client):
    ref = make_client()
    referral_id = make(app, ref)
    assert update(app, referral_id, status="accepted", next_action="Chase the council",
                  next_action_due_on=TODAY + timedelta(days=7)) == {
        "status": ["open", "accepted"], "next_action": [None, "Chase the council"],
        "next_action_due_on": [None, TODAY + timedelta(days=7)]}
    update(app, referral_id, status="completed", closed_on=TODAY - timedelta(days=1), outcome="settled_accommodation")
    assert history(app, referral_id) == [(None, "open", REFERRED), ("open", "accepted", TODAY),
                                         ("accepted", "completed", TODAY - timedelta(days=1))]
    with app.app_context():
        entries = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "referral.updated")
                                     .order_by(AuditEntry.seq)).all()
        client_id = str(client_named(ref).id)
    assert [(e.subject_type, e.subject_id) for e in entries] == [("client", client_id)] * 2
    assert entries[1].changes == {"referral": [referral_id, referral_id], "status": ["accepted", "completed"],
                                  "closed_on": [None, (TODAY - timedelta(days=1)).isoformat()],
                                  "outcome": [None, "settled_accommodation"]}
    assert "open to accepted" in entries[0].summary


@pytest.mark.parametrize("status, outcome", [("completed", "settled_accommodation"), ("declined", "no_change"),
                                             ("withdrawn", "other")])
def test_a_closed_referral_is_final_whatever_the_change(app, make_client, status, outcome):
    referral_id = make(app, make_client(), status=status, closed_on=TODAY, outcome=outcome,
                       outcome_notes="Moved in with family" if outcome == "other" else None)
    before = referral_state(app, referral_id)
    for change in ({"status": "open", "closed_on": None}, {"need": "Something else"},
                   {"status": "completed", "outcome": "supported_housing"}):
        with app.app_context(), pytest.raises(RuleBroken) as caught:
            referral = db.session.get(Referral, referral_id)
            operations.update_referral(referral, db.session.get(Client, referral.client_id),
                                       {**operations.referral_snapshot(referral), **change}, version=referral.version)
        assert str(caught.value) == (f"This referral was {status} on {TODAY.day} {TODAY:%B %Y}, so it can no longer "
                                     "be changed. If it was closed by mistake, ask a manager to reopen it")
    assert referral_state(app, referral_id) == before


def reopen(app, referral_id, reason, version=None, actor_id=None):
    from iom.auth.models import User
    with app.app_context():
        referral = db.session.get(Referral, referral_id)
        operations.reopen_referral(referral, db.session.get(Client, referral.client_id), reason,
                                   version=referral.version if version is None else version,
                                   actor=db.session.get(User, actor_id) if actor_id else None)
        db.session.commit()


def test_a_manager_reopening_clears_the_date_and_outcome_with_the_reason_in_history_and_audit(
        app, make_client, make_user):
    manager_id, _ = make_user("manager")
    reference = make_client()
    referral_id = make(app, reference, status="declined", closed_on=TODAY, outcome="no_change")

    reopen(app, referral_id, "  Closed by mistake: the council has not decided yet  ", actor_id=manager_id)

    state = referral_state(app, referral_id)
    assert (state["status"], state["closed_on"], state["outcome"], state["version"]) == ("open", None, None, 2)
    assert history(app, referral_id)[-1] == ("declined", "open", TODAY)
    with app.app_context():
        change = db.session.scalars(select(ReferralStatusChange).order_by(ReferralStatusChange.id.desc())).first()
        assert (change.note, change.changed_by_id) == ("Closed by mistake: the council has not decided yet",
                                                       manager_id)
        entry = db.session.scalars(select(AuditEntry).order_by(AuditEntry.seq.desc())).first()
        assert (entry.action, entry.subject_type, entry.actor_id) == ("referral.reopened", "client", manager_id)
        assert entry.changes == {"referral": [referral_id, referral_id], "status": ["declined", "open"],
                                 "closed_on": [TODAY.isoformat(), None], "outcome": ["no_change", None],
                                 "reason": [None, "Closed by mistake: the council has not decided yet"]}
    # open again, it can be worked and closed as before
    update(app, referral_id, status="completed", closed_on=TODAY, outcome="settled_accommodation")
    assert referral_state(app, referral_id)["status"] == "completed"


@pytest.mark.parametrize("reason, message", [
    (None, "Enter why you are reopening this referral"),
    ("   ", "Enter why you are reopening this referral"),
    ("x" * 5_001, "Why you are reopening it must be 5,000 characters or fewer"),
])
def test_a_reopen_without_a_reason_is_refused(app, make_client, reason, message):
    referral_id = make(app, make_client(), status="withdrawn", closed_on=TODAY, outcome="no_change")
    with pytest.raises(RuleBroken, match=message):
        reopen(app, referral_id, reason)
    assert referral_state(app, referral_id)["status"] == "withdrawn" and len(history(app, referral_id)) == 1


def test_only_a_closed_referral_is_reopened_and_a_stale_reopen_is_refused(app, make_client):
    open_id = make(app, make_client())
    with pytest.raises(RuleBroken, match="This referral is open, not closed, so it cannot be reopened"):
        reopen(app, open_id, "Why not")
    closed_id = make(app, make_client(), status="completed", closed_on=TODAY, outcome="no_change")
    with pytest.raises(StaleEdit, match="It has not been reopened"):
        reopen(app, closed_id, "Closed by mistake", version=0)
    assert referral_state(app, closed_id)["status"] == "completed"


def test_saving_without_a_change_writes_nothing(app, make_client):
    referral_id = make(app, make_client())
    with app.app_context():
        before = db.session.scalar(select(func.count()).select_from(AuditEntry))
    assert update(app, referral_id) == {}
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(AuditEntry)) == before
    assert referral_state(app, referral_id)["version"] == 1 and len(history(app, referral_id)) == 1


def test_a_stale_edit_is_refused_naming_what_differs(app, make_client):
    referral_id = make(app, make_client())
    update(app, referral_id, need="Saved by someone else")
    with pytest.raises(StaleEdit) as caught:
        update(app, referral_id, version=1, need="Mine", status="accepted")
    conflicts = {c.field: (c.yours, c.saved) for c in caught.value.conflicts}
    assert conflicts == {"need": ("Mine", "Saved by someone else"), "status": ("accepted", "open")}
    state = referral_state(app, referral_id)
    assert (state["need"], state["status"], state["version"]) == ("Saved by someone else", "open", 2)
    assert len(history(app, referral_id)) == 1


def test_a_racing_save_is_refused_by_the_version_counter(app, make_client):
    """Both read version 1; the first UPDATE wins and the second finds no row at version 1."""
    from sqlalchemy import update as sql_update
    referral_id = make(app, make_client())
    with app.app_context():
        referral = db.session.get(Referral, referral_id)
        details = {**operations.referral_snapshot(referral), "need": "Mine"}
        # someone else's save lands between our version check and our UPDATE
        with db.engine.begin() as other:
            other.execute(sql_update(Referral).where(Referral.id == referral_id)
                          .values(need="Theirs", version=Referral.version + 1))
        with pytest.raises(StaleEdit, match="at the same moment"):
            operations.update_referral(referral, db.session.get(Client, referral.client_id), details, version=1)
        db.session.rollback()
    assert referral_state(app, referral_id)["need"] == "Theirs"


def test_the_database_refuses_what_the_contract_forbids(app, make_client):
    """The check constraints back the rules up for anything that bypasses the operations."""
    from sqlalchemy.exc import IntegrityError
    ref = make_client()
    with app.app_context():
        client_id = client_named(ref).id
        for bad in ({"status": "open", "closed_on": TODAY}, {"status": "completed", "closed_on": None},
                    {"status": "completed", "closed_on": TODAY - timedelta(days=20)}):
            db.session.add(Referral(client_id=client_id, kind="housing", referred_on=TODAY - timedelta(days=10), **bad))
            with pytest.raises(IntegrityError):
                db.session.flush()
            db.session.rollback()
