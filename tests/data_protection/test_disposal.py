"""The retention rule's disposal: who is due, what is erased, and that every past figure (the monthly
check, the annual pack, the reoffending figures, the alcohol paper's) reads the same byte for byte."""
import json
from datetime import date

import pytest
from sqlalchemy import select

from iom import audit
from iom.clients.models import AlcoholScreening, Client
from iom.custody.models import CustodyEvent
from iom.data_protection import retention
from iom.extensions import db
from iom.figures.alcohol import alcohol_figures
from iom.figures.months import add_months
from iom.rules import RuleBroken, StaleEdit
from iom.years import FinancialYear
from tests.builders import audit_entries, client_named, every_row, old_caseload, years_ago

YEARS = [FinancialYear.of(years_ago(n, 6, 1)) for n in (11, 10, 9, 8)]


def published_figures(runner) -> dict[str, bytes]:
    """Every figure the commands publish for the years the people were on the scheme, as the bytes printed."""
    outputs = {}
    for year in YEARS:
        for n in range(12):
            month = add_months(year.first_day, n)
            result = runner.invoke(args=["monthly-check", "--month", f"{month:%Y-%m}", "--json"])
            assert result.exit_code in (0, 3), result.output
            outputs[f"monthly {month:%Y-%m}"] = result.stdout_bytes
        result = runner.invoke(args=["annual-report", "--year", str(year), "--format", "json", "--output", "-"])
        assert result.exit_code == 0, result.output
        outputs[f"annual {year}"] = result.stdout_bytes
        result = runner.invoke(args=["reoffending", "--from", year.first_day.isoformat(),
                                     "--to", year.last_day.isoformat(), "--json"])
        assert result.exit_code == 0, result.output
        outputs[f"reoffending {year}"] = result.stdout_bytes
        with runner.app.app_context():
            outputs[f"alcohol {year}"] = json.dumps(alcohol_figures(year), sort_keys=True, default=str).encode()
    return outputs


def dispose(app, reference: str, reason: str = "Left over six years ago; no further contact expected") -> dict:
    with app.app_context(), audit.acting_as("test"):
        person = client_named(reference)
        erased = retention.dispose(person, reason=reason, version=person.version)
        db.session.commit()
        return erased


def test_who_is_due_more_than_the_retention_years_after_leaving(app):
    people = old_caseload(app)
    with app.app_context():
        due = retention.due_for_review()
        assert {entry.reference for entry in due} == {people["gone"], people["quiet"]}
        assert due[0].last_left_on <= due[1].last_left_on  # longest gone first
        # six years to the day is not more than six years; a day more is
        assert retention.cutoff(date(2026, 12, 2), 6) == date(2020, 12, 2)
        assert retention.cutoff(date(2028, 2, 29), 6) == date(2022, 2, 28)
        assert {entry.reference for entry in retention.due_for_review(years=4)} == \
            {people["gone"], people["quiet"], people["recent"]}


def test_disposal_leaves_every_published_figure_unchanged_byte_for_byte(app, runner):
    people = old_caseload(app)
    before = published_figures(runner)
    assert json.loads(before[f"annual {YEARS[1]}"])["months"][0]["on_scheme"] >= 3  # the people are in them

    dispose(app, people["gone"])
    dispose(app, people["quiet"])

    after = published_figures(runner)
    assert after.keys() == before.keys()
    changed = [name for name in before if after[name] != before[name]]
    assert changed == []


def test_disposal_erases_their_personal_data_everywhere_but_the_audit_trail(app):
    people = old_caseload(app)
    with app.app_context():
        gone = client_named(people["gone"])
        gone_id = gone.id
    erased = dispose(app, people["gone"])

    assert erased["case_note"] == 1 and erased["referral"] == 3 and erased["watch_entry"] == 1
    rows = every_row(app_uri(app))
    text = repr({name: table for name, table in rows.items() if name != "audit_entry"})
    for identifying in ("Gwendolyn", "Oldacre", "date(1990, 6, 15)", "09/654321", f"WY/{gone_id}400/11",
                        f"WY/9{gone_id}/10"):
        assert identifying not in text, identifying
    with app.app_context():
        row = db.session.get(Client, gone_id)
        assert row.is_disposed and row.reference == f"DISPOSED-{gone_id}"
        assert (row.given_name, row.family_name) == retention.DISPOSED_NAMES
        assert row.date_of_birth == date(1990, 4, 1)  # after 31 March: the same age on every 31 March
        assert row.pnc_id == f"ERASED-{gone_id}" and row.ward == retention.ERASED
        assert row.programme == "ppo" and row.alcohol_related == "yes"
        assert db.session.scalars(select(CustodyEvent.establishment).where(CustodyEvent.client_id == gone_id)
                                  ).all() == [None, None, None]
        screening = db.session.scalar(select(AlcoholScreening).where(AlcoholScreening.client_id == gone_id))
        assert (screening.drinking_frequency, screening.typical_units, screening.heavy_drinking_frequency) \
            == (4, 3, 0) and screening.score == 7
        # the others are untouched
        assert client_named(people["recent"]).given_name == "Rita"
    entry = audit_entries(app, "client.disposed")[-1]
    assert entry.subject_type == "client" and entry.subject_id == str(gone_id)
    assert entry.actor_label == "test"
    assert entry.changes["reason"] == [None, "Left over six years ago; no further contact expected"]
    assert entry.changes["reference"] == [people["gone"], f"DISPOSED-{gone_id}"]
    assert "Gwendolyn" not in json.dumps(entry.changes) and "Gwendolyn" not in entry.summary
    with app.app_context():
        assert audit.verify_chain().is_intact
        assert people["gone"] not in [due.reference for due in retention.due_for_review()]


def app_uri(app) -> str:
    with app.app_context():
        return db.engine.url.render_as_string(hide_password=False)


@pytest.mark.parametrize("who, reason, words", [
    ("recent", "Gone", "is not due for review"),
    ("current", "Gone", "is not due for review"),
    ("gone", "   ", "Enter why this record is being disposed of"),
    ("gone", "x" * 2001, "2,000 characters or fewer"),
])
def test_a_disposal_refused_changes_nothing(app, who, reason, words):
    people = old_caseload(app)
    before = every_row(app_uri(app))
    with app.app_context(), audit.acting_as("test"):
        person = client_named(people[who])
        with pytest.raises(RuleBroken, match=words):
            retention.dispose(person, reason=reason, version=person.version)
        db.session.rollback()
    assert every_row(app_uri(app)) == before


def test_a_stale_version_or_a_second_disposal_is_refused(app):
    people = old_caseload(app)
    with app.app_context(), audit.acting_as("test"):
        person = client_named(people["gone"])
        with pytest.raises(StaleEdit, match="changed by someone else"):
            retention.dispose(person, reason="Gone", version=person.version - 1)
        db.session.rollback()
    dispose(app, people["gone"])
    with app.app_context(), audit.acting_as("test"):
        person = db.session.scalar(select(Client).where(Client.disposed_at.is_not(None)))
        with pytest.raises(RuleBroken, match="already disposed of"):
            retention.dispose(person, reason="Again", version=person.version)
        db.session.rollback()
