"""Recording, correcting and removing offences, and the partnership's own cost of crime: the rules,
one audit entry each with the client as the subject, stale edits refused, nothing written on a refusal."""
from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from iom.extensions import db
from iom.offending import operations, queries
from iom.offending.models import OFFENCE_TYPES, Offence, OffenceUnitCost
from iom.offending.unit_costs import PRICE_YEAR, SOURCE
from iom.rules import RuleBroken, StaleEdit
from tests.builders import TODAY, actions, add_offence, audit_entries, client_named, count, offence_details, state_of


@pytest.fixture
def reference(app, make_client):
    reference = make_client(joined=date(2011, 4, 1))
    with app.app_context():
        client_named(reference).date_of_birth = date(1990, 6, 15)
        db.session.commit()
    return reference


def client_id(app, reference) -> int:
    with app.app_context():
        return client_named(reference).id


def test_recording_an_offence_writes_it_and_one_audit_entry_about_the_client(app, reference):
    offence_id = add_offence(app, reference, crime_reference="  WY/1/11  ", outcome="", alcohol_involved="")
    saved = state_of(app, Offence, offence_id)
    assert (saved["offence_on"], saved["offence_type"], saved["outcome"], saved["crime_reference"],
            saved["alcohol_involved"], saved["client_id"]) == (date(2011, 5, 1), "domestic_burglary", None,
                                                                "WY/1/11", "unknown", client_id(app, reference))
    assert actions(app, "client", client_id(app, reference))[-1] == "offence.recorded"
    entry = audit_entries(app, "offence.recorded")[-1]
    assert entry.summary == f"Client {reference}: offence recorded (domestic burglary on 1 May 2011)"
    assert entry.changes["offence"] == [None, offence_id] and entry.changes["offence_on"] == [None, "2011-05-01"]


@pytest.mark.parametrize("overrides, field, message", [
    ({"offence_on": None}, "offence_on", "Enter the date the offence was committed"),
    ({"offence_on": TODAY + timedelta(days=1)}, "offence_on", "Date the offence was committed must be today or in the past"),
    ({"offence_on": date(1990, 6, 14)}, "offence_on",
     "Date the offence was committed must be on or after their date of birth (15 June 1990)"),
    ({"offence_type": "arson"}, "offence_type", "Select the type of offence"),
    ({"offence_type": None}, "offence_type", "Select the type of offence"),
    ({"outcome": "acquitted"}, "outcome", "Select the outcome: convicted, cautioned, charged or other"),
    ({"alcohol_involved": "maybe"}, "alcohol_involved", "Select whether alcohol was involved: yes, no or not known"),
    ({"crime_reference": "x" * 41}, "crime_reference", "Crime reference must be 40 characters or fewer"),
])
def test_a_broken_rule_is_refused_with_its_message_and_nothing_written(app, reference, overrides, field, message):
    before = (count(app, Offence), len(audit_entries(app)))
    with app.app_context(), pytest.raises(RuleBroken) as refused:
        operations.record_offence(client_named(reference), offence_details(**overrides))
    assert (refused.value.field, str(refused.value)) == (field, message)
    assert (count(app, Offence), len(audit_entries(app))) == before


def test_the_day_of_birth_and_today_are_allowed(app, reference):
    add_offence(app, reference, offence_on=date(1990, 6, 15))
    add_offence(app, reference, offence_on=TODAY)
    assert count(app, Offence) == 2


def test_correcting_saves_the_changes_audited_and_nothing_when_nothing_changed(app, reference):
    offence_id = add_offence(app, reference)
    with app.app_context():
        offence, client = db.session.get(Offence, offence_id), client_named(reference)
        changes = operations.correct_offence(offence, client, offence_details(offence_type="robbery", outcome=None),
                                             version=1)
        db.session.commit()
        assert changes == {"offence_type": ["domestic_burglary", "robbery"], "outcome": ["charged", None]}
        assert operations.correct_offence(offence, client, offence_details(offence_type="robbery", outcome=None),
                                          version=2) == {}
        db.session.commit()
    entry = audit_entries(app, "offence.corrected")
    assert len(entry) == 1 and entry[0].subject_type == "client"
    assert entry[0].changes["offence"] == [offence_id, offence_id]
    assert state_of(app, Offence, offence_id)["version"] == 2


def test_a_stale_correction_is_refused_with_what_differs(app, reference):
    offence_id = add_offence(app, reference)
    with app.app_context():
        offence, client = db.session.get(Offence, offence_id), client_named(reference)
        operations.correct_offence(offence, client, offence_details(outcome="convicted"), version=1)
        db.session.commit()
    before = state_of(app, Offence, offence_id)
    with app.app_context(), pytest.raises(StaleEdit) as stale:
        operations.correct_offence(db.session.get(Offence, offence_id), client_named(reference),
                                   offence_details(crime_reference="MINE"), version=1)
    assert {(c.field, c.yours, c.saved) for c in stale.value.conflicts} == {
        ("outcome", "charged", "convicted"), ("crime_reference", "MINE", "WY/12345/11")}
    assert state_of(app, Offence, offence_id) == before


def test_another_persons_offence_cannot_be_changed(app, reference, make_client):
    offence_id = add_offence(app, reference)
    other = make_client()
    with app.app_context(), pytest.raises(RuleBroken):
        operations.remove_offence(db.session.get(Offence, offence_id), client_named(other), version=1, reason="x")


def test_removing_keeps_every_value_and_the_reason_in_the_audit_trail(app, reference):
    offence_id = add_offence(app, reference, outcome="cautioned", alcohol_involved="yes")
    with app.app_context():
        operations.remove_offence(db.session.get(Offence, offence_id), client_named(reference), version=1,
                                  reason="  Recorded for the wrong person  ")
        db.session.commit()
    assert count(app, Offence) == 0
    entry = audit_entries(app, "offence.removed")[-1]
    assert entry.subject_type == "client"
    kept = {field: pair[0] for field, pair in entry.changes.items() if field != "reason"}
    assert kept["offence"] == offence_id and kept["offence_on"] == "2011-05-01"
    assert (kept["offence_type"], kept["outcome"], kept["crime_reference"], kept["alcohol_involved"]) == (
        "domestic_burglary", "cautioned", "WY/12345/11", "yes")
    assert "recorded_at" in kept
    assert entry.changes["reason"] == [None, "Recorded for the wrong person"]


@pytest.mark.parametrize("version, reason, error", [
    (1, "   ", "Enter why you are removing this offence"),
    (1, "x" * 5_001, "Why you are removing it must be 5,000 characters or fewer"),
    (7, "Recorded twice", "This offence was changed by someone else after you opened this page. It has not been "
                          "removed. Check it below, then remove it again if that is still right."),
])
def test_a_refused_removal_removes_nothing(app, reference, version, reason, error):
    offence_id = add_offence(app, reference)
    with app.app_context(), pytest.raises(RuleBroken) as refused:
        operations.remove_offence(db.session.get(Offence, offence_id), client_named(reference), version=version,
                                  reason=reason)
    assert str(refused.value) == error
    assert count(app, Offence) == 1


def test_offences_for_is_newest_first_and_only_the_clients(app, reference, make_client):
    first = add_offence(app, reference, offence_on=date(2011, 5, 1))
    later = add_offence(app, reference, offence_on=date(2011, 6, 1))
    same_day = add_offence(app, reference, offence_on=date(2011, 6, 1), offence_type="shoplifting")
    add_offence(app, make_client(), offence_on=date(2011, 7, 1))
    with app.app_context():
        assert [o.id for o in queries.offences_for(client_id(app, reference))] == [same_day, later, first]


# --- the cost of crime --------------------------------------------------------------------------

def test_unit_costs_are_every_type_in_the_contracts_order_published_until_set(app):
    with app.app_context():
        costs = queries.unit_costs()
    assert list(costs) == list(OFFENCE_TYPES)
    assert costs["domestic_burglary"] == (Decimal("5930.00"), PRICE_YEAR, SOURCE, True)
    cost, price_year, source, is_default = costs["shoplifting"]  # the shape other areas unpack
    assert (cost, is_default, costs["shoplifting"].is_costed) == (Decimal("0.00"), True, False)


def test_a_manager_sets_a_local_figure_and_goes_back_to_the_published_one(app, make_user):
    manager_id, _ = make_user("manager")
    with app.app_context():
        from iom.auth.models import User
        changes = operations.set_unit_cost("shoplifting", Decimal("109.00"), "2019/20", " Local study ",
                                           db.session.get(User, manager_id), 0)
        db.session.commit()
        assert changes["cost_gbp"] == ["0.00", "109.00"] and changes["is_default"] == [True, False]
        assert queries.unit_costs()["shoplifting"] == (Decimal("109.00"), "2019-20", "Local study", False)
        assert db.session.get(OffenceUnitCost, "shoplifting").set_by_id == manager_id
        assert operations.set_unit_cost("shoplifting", Decimal("109.00"), "2019-20", "Local study", None, 1) == {}
        operations.set_unit_cost("shoplifting", Decimal("120.50"), "2019-20", "Local study", None, 1)
        db.session.commit()
        operations.revert_unit_cost("shoplifting", 2)
        db.session.commit()
        assert queries.unit_costs()["shoplifting"].is_default
        assert operations.revert_unit_cost("shoplifting", 0) == {}  # already published: nothing to do
    assert [entry.action for entry in audit_entries(app) if entry.subject_type == "offence_unit_cost"] == [
        "offence_unit_cost.set", "offence_unit_cost.set", "offence_unit_cost.reverted"]
    reverted = audit_entries(app, "offence_unit_cost.reverted")[0]
    assert reverted.subject_id == "shoplifting" and reverted.changes["cost_gbp"] == ["120.50", "0.00"]


@pytest.mark.parametrize("cost, price_year, source, field, message", [
    (Decimal("0.00"), "2015-16", "S", "cost_gbp", "Cost of one offence must be more than £0"),
    (Decimal("-5.00"), "2015-16", "S", "cost_gbp", "Cost of one offence must be more than £0"),
    (Decimal("20000000.00"), "2015-16", "S", "cost_gbp", "Cost of one offence must be £10,000,000.00 or less"),
    (Decimal("5.001"), "2015-16", "S", "cost_gbp",
     "Cost of one offence must be in pounds and pence, with no more than 2 numbers after the decimal point"),
    (Decimal("5.00"), "2015-17", "S", "price_year", "Price year must be a financial year written like 2015-16"),
    (Decimal("5.00"), "2015-16", " ", "source", "Enter where the figure comes from"),
])
def test_a_unit_cost_breaking_a_rule_sets_nothing(app, cost, price_year, source, field, message):
    with app.app_context(), pytest.raises(RuleBroken) as refused:
        operations.set_unit_cost("robbery", cost, price_year, source, None, 0)
    assert (refused.value.field, str(refused.value)) == (field, message)
    assert count(app, OffenceUnitCost) == 0


def test_a_stale_unit_cost_is_refused(app):
    with app.app_context():
        operations.set_unit_cost("robbery", Decimal("12000.00"), "2016-17", "Theirs", None, 0)
        db.session.commit()
        with pytest.raises(StaleEdit) as stale:  # opened while the published figure was in force
            operations.set_unit_cost("robbery", Decimal("11000.00"), "2016-17", "Mine", None, 0)
        assert {(c.field, c.yours, c.saved) for c in stale.value.conflicts} == {
            ("cost_gbp", "11000.00", "12000.00"), ("source", "Mine", "Theirs")}
        db.session.rollback()
        with pytest.raises(StaleEdit):
            operations.revert_unit_cost("robbery", 5)
        db.session.rollback()
        assert db.session.scalar(select(OffenceUnitCost.cost_gbp)) == Decimal("12000.00")


def test_a_merge_moves_the_duplicates_offences_and_fills_a_blank_tier(app, reference, make_client):
    from iom.clients.operations import merge_clients
    duplicate = make_client(joined=date(2013, 4, 1))
    offence_id = add_offence(app, duplicate)
    with app.app_context():
        from iom.clients.models import SchemePeriod
        other = client_named(duplicate)
        other.tier = "fixed"
        db.session.execute(SchemePeriod.__table__.delete().where(SchemePeriod.client_id == other.id))
        db.session.commit()
        kept = client_named(reference)
        merge_clients(kept, client_named(duplicate))
        db.session.commit()
        assert db.session.get(Offence, offence_id).client_id == kept.id
        assert client_named(reference).tier == "fixed"
