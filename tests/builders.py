"""Builders for every area's tests: one place for making people, records and forms.

Two kinds, each in its section below:
- `add_*`, `make_*` and the fixtures: made through the operations the pages use (audit entries
  and all), each in its own app context and committed;
- the plain row builders (`client`, `referral`, `payment`, `sac`, `note`, `watch`): rows made
  with the models directly, for figures and reports, inside the caller's app context, flushed.

The fixtures are registered by the root conftest (`pytest_plugins`); import the functions by name.
Imported after the root conftest has pinned the clock, so TODAY is the suite's pinned day."""
import json
import re
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

import pytest
from sqlalchemy import delete, func, insert, select, update

from iom.years import FinancialYear
from iom.audit.models import AuditEntry
from iom.auth.models import User, UserSession
from iom.clients import operations as client_operations
from iom.clients.models import CaseNote, Client, SchemePeriod
from iom.clock import today_in_london, utcnow
from iom.custody.models import CustodyEvent
from iom.custody.operations import record_custody_event
from iom.extensions import db
from iom.figures.models import MonthClosure, SacCount, SchemeRule
from iom.offending.models import Offence, OffenceUnitCost, SchemeCost
from iom.form_fields import PNC_LETTERS
from iom.payments import operations as payment_operations
from iom.payments.models import Budget, SupportPayment
from iom.referrals import operations as referral_operations
from iom.referrals.models import Referral, ReferralStatusChange
from iom.reports.disclosure import date_forms
from iom.reports.models import SelfAssessmentAnswer, SelfAssessmentQuestion, UnitCost, ValueForMoneyBaseline
from iom.watch import operations as watch_operations
from iom.watch.models import WatchEntry
from tests.pages import day_month_year

TODAY = today_in_london()


# --- reading what is stored ---------------------------------------------------------------------

def count(app, model) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def actions(app, subject_type: str | None = None, subject_id=None) -> list[str]:
    """The audit trail's actions in order; with a subject, only the entries about it."""
    with app.app_context():
        query = select(AuditEntry.action).order_by(AuditEntry.seq)
        if subject_id is not None:
            query = query.where(AuditEntry.subject_type == subject_type, AuditEntry.subject_id == str(subject_id))
        return list(db.session.scalars(query))


def audit_entries(app, action: str | None = None) -> list[AuditEntry]:
    with app.app_context():
        query = select(AuditEntry).order_by(AuditEntry.seq)
        if action:
            query = query.where(AuditEntry.action == action)
        entries = list(db.session.scalars(query))
        db.session.expunge_all()
        return entries


def stored(app, model, key):
    with app.app_context():
        row = db.session.get(model, key)
        if row is not None:
            db.session.expunge(row)
        return row


def state_of(app, model, row_id) -> dict:
    """Every column of one row: 'nothing changed' compares two of these."""
    with app.app_context():
        row = db.session.get(model, row_id)
        return {column: getattr(row, column) for column in model.__table__.columns.keys()}


def client_named(reference: str) -> Client:
    return db.session.scalar(select(Client).where(Client.reference == reference))


# --- clients --------------------------------------------------------------------------------------

def add_client(app, given="Ann", family="Example", officer_id=None, pnc=None, strand="catch_convict",
               joined=date(2011, 4, 1)) -> str:
    """One client through add_client (one scheme period from `joined`); returns their reference."""
    with app.app_context():
        client = client_operations.add_client({"given_name": given, "family_name": family,
                                               "offender_manager_id": officer_id, "pnc_id": pnc},
                                              strand=strand, joined_on=joined)
        db.session.commit()
        return client.reference


@pytest.fixture
def make_client(app):
    """make_client(given="Ann", family=None, joined=...) -> reference; each a family name of their own."""
    counter = iter(range(1, 10_000))

    def build(given="Ann", family=None, joined=date(2011, 4, 1)) -> str:
        return add_client(app, given, family or f"Example{next(counter):03d}", joined=joined)
    return build


def make_client_for_routes(app) -> dict:
    """The route walker's client: {'client': reference, 'period': scheme period id, 'offence': an offence id}."""
    reference = add_client(app, "Route", "Walker")
    with app.app_context():
        period_id = db.session.scalar(select(SchemePeriod.id).join(Client).where(Client.reference == reference))
    return {"client": reference, "period": period_id, "offence": add_offence(app, reference)}


def make_referrals_for_routes(app, reference: str) -> dict:
    """A housing and a mental-health referral for the route walker, and an agency."""
    with app.app_context():
        client = client_named(reference)
        agency = referral_operations.add_agency("Route Housing Trust", "both")
        common = {"referred_on": date(2011, 5, 1), "agency_id": agency.id, "need": "Somewhere to live",
                  "status": "open"}
        housing = referral_operations.make_referral(client, "housing", {**common, "duty_to_refer_made": False})
        mental_health = referral_operations.make_referral(client, "mental_health", common)
        db.session.commit()
        return {"referral": housing.id, "mh_referral": mental_health.id, "agency": agency.id}


def make_alcohol_records_for_routes(app, reference: str) -> dict:
    """The route walker's AUDIT-C screening and alcohol services referral, and the 2011-12 alcohol paper:
    version 1 published, version 2 a draft."""
    from iom.reports.alcohol_paper import draft_figures
    from iom.reports.models import AlcoholPaper
    with app.app_context():
        client = client_named(reference)
        screening = client_operations.record_alcohol_screening(client, screening_details())
        alcohol = referral_operations.make_referral(client, "alcohol", {
            "referred_on": date(2011, 5, 1), "agency_other": "Route Alcohol Service", "need": "Drinks daily",
            "status": "open"})
        db.session.add(AlcoholPaper(financial_year="2011-12", number=1, status="published", introduction="Intro",
                                    discussion="Discussion", interventions="Interventions", figures=json.dumps(
                                        draft_figures(FinancialYear.parse("2011-12"))),
                                    published_at=utcnow()))
        db.session.add(AlcoholPaper(financial_year="2011-12", number=2, status="draft", introduction="Intro"))
        db.session.commit()
        return {"screening": screening.id, "alc_referral": alcohol.id}


def screening_details(**overrides) -> dict:
    """An AUDIT-C screening's details as the operation takes them: score 6 (positive)."""
    return {"screened_on": TODAY - timedelta(days=3), "drinking_frequency": 3, "typical_units": 2,
            "heavy_drinking_frequency": 1, **overrides}


def screening_form(**overrides) -> dict:
    """The record-a-screening form as a browser posts it."""
    details = screening_details()
    day = overrides.pop("screened_on", details["screened_on"])
    form = {"screened_on": day_month_year(day) if isinstance(day, date) else day,
            **{name: str(details[name]) for name in ("drinking_frequency", "typical_units",
                                                      "heavy_drinking_frequency")}}
    form.update(overrides)
    return form


@pytest.fixture
def put_in_custody(app):
    def record(reference: str, *, release_in_days: int | None, status: str = "custody", days_ago: int = 30):
        with app.app_context():
            record_custody_event(client_named(reference), status=status, from_date=TODAY - timedelta(days=days_ago),
                                 establishment=None if status == "community" else "HMP Leeds",
                                 expected_release_on=None if release_in_days is None
                                 else TODAY + timedelta(days=release_in_days))
            db.session.commit()
    return record


def wipe_caseload() -> None:
    """Empty every table an import writes (the audit trail stays), as a fresh database would be."""
    for model in (Offence, OffenceUnitCost, ReferralStatusChange, Referral, SupportPayment, CustodyEvent,
                  SchemePeriod, Client, SacCount, Budget):
        db.session.execute(delete(model))
    db.session.commit()


# --- referrals ------------------------------------------------------------------------------------

def housing_details(**overrides) -> dict:
    """A valid open housing referral with no Duty to Refer, as the operations take it."""
    details = {"referred_on": TODAY - timedelta(days=10), "agency_id": None, "agency_other": "Shelter",
               "need": "Sofa-surfing since release", "status": "open", "duty_to_refer_made": False}
    details.update(overrides)
    return details


def mental_health_details(**overrides) -> dict:
    details = {"referred_on": TODAY - timedelta(days=10), "agency_id": None,
               "agency_other": "Community Mental Health Team", "need": "Low mood, not sleeping", "status": "open"}
    details.update(overrides)
    return details


def referral_state(app, referral_id: int) -> dict:
    return state_of(app, Referral, referral_id)


@pytest.fixture
def make_referral(app):
    def build(reference: str, kind: str = "housing", **overrides) -> int:
        details = (housing_details if kind == "housing" else mental_health_details)(**overrides)
        with app.app_context():
            referral = referral_operations.make_referral(client_named(reference), kind, details)
            db.session.commit()
            return referral.id
    return build


@pytest.fixture
def make_agency(app):
    def build(name: str, kind: str = "both", is_active: bool = True) -> int:
        with app.app_context():
            agency = referral_operations.add_agency(name, kind)
            if not is_active:
                referral_operations.update_agency(agency, name=name, kind=kind, is_active=False,
                                                  version=agency.version)
            db.session.commit()
            return agency.id
    return build


# --- offences -------------------------------------------------------------------------------------

def offence_details(**overrides) -> dict:
    """A valid offence as record_offence takes it."""
    details = {"offence_on": date(2011, 5, 1), "offence_type": "domestic_burglary", "outcome": "charged",
               "crime_reference": "WY/12345/11", "alcohol_involved": "no"}
    details.update(overrides)
    return details


def offence_form(**overrides) -> dict:
    """The record and correct forms' fields, as posted (a date as its three boxes)."""
    fields = {key: "" if value is None else value for key, value in offence_details(**overrides).items()}
    fields["offence_on"] = day_month_year(fields["offence_on"]) if isinstance(fields["offence_on"], date) \
        else fields["offence_on"]
    return fields


def add_offence(app, reference: str, **overrides) -> int:
    """One offence through record_offence; returns its id."""
    from iom.offending.operations import record_offence
    with app.app_context():
        offence = record_offence(client_named(reference), offence_details(**overrides))
        db.session.commit()
        return offence.id


# --- support payments -----------------------------------------------------------------------------

PAYMENT_REQUEST = {"amount": "70.00", "paid_on": ["5", "10", "2011"], "purpose": "travel_to_interview",
                   "detail": "Return bus fare to an interview"}


@pytest.fixture
def staff(make_user):
    """An officer and two managers: {'officer': id, 'manager': id, 'manager2': id}."""
    return {"officer": make_user("officer", username="pay.officer")[0],
            "manager": make_user("manager", username="pay.manager")[0],
            "manager2": make_user("manager", username="pay.manager2")[0]}


@pytest.fixture
def make_request(app, staff):
    """A request through request_payment; returns the payment id."""
    def build(reference, amount="70.00", paid_on=date(2011, 10, 5), purpose="travel_to_interview",
              detail="Return fare to an interview", by="officer"):
        with app.app_context():
            payment = payment_operations.request_payment(
                client_named(reference), amount=Decimal(amount), paid_on=paid_on, purpose=purpose, detail=detail,
                requested_by=db.session.get(User, staff[by]))
            db.session.commit()
            return payment.id
    return build


@pytest.fixture
def approve(app, staff):
    def run(payment_id, by="manager", note=None):
        with app.app_context():
            payment = db.session.get(SupportPayment, payment_id)
            left = payment_operations.approve_payment(payment, db.session.get(User, staff[by]), note=note)
            db.session.commit()
            return left
    return run


# --- the watch list -------------------------------------------------------------------------------

def valid_pnc(year: str = "11", serial: str = "123456") -> str:
    return f"{year}/{serial}{PNC_LETTERS[int(year[-2:] + serial.zfill(7)) % 23]}"


def wrong_check_letter(pnc: str) -> str:
    letter = pnc[-1]
    return pnc[:-1] + next(c for c in PNC_LETTERS if c != letter)


def entry_form(**overrides) -> dict:
    """A valid add/edit form; dates as date objects (or None for blank), turned into three boxes."""
    fields = {
        "given_name": "Dean", "family_name": "Marsh", "date_of_birth": date(1994, 6, 3),
        "pnc_id": valid_pnc(), "partner_agency": "Youth Offending Service",
        "reason": "Three burglaries in six weeks; the YOS think he may be escalating.",
        "added_on": TODAY - timedelta(days=7), "next_review_on": TODAY + timedelta(days=21),
    }
    fields.update(overrides)
    return {key: day_month_year(value) if key in ("date_of_birth", "added_on", "next_review_on")
            and not isinstance(value, list) else value for key, value in fields.items()}


def make_entry(app, **overrides) -> int:
    details = {
        "given_name": "Dean", "family_name": "Marsh", "date_of_birth": date(1994, 6, 3), "pnc_id": None,
        "partner_agency": "Youth Offending Service", "reason": "Escalating burglary",
        "added_on": TODAY - timedelta(days=30), "next_review_on": TODAY + timedelta(days=30),
    }
    details.update(overrides)
    with app.app_context():
        entry = watch_operations.add_watch_entry(details)
        db.session.commit()
        return entry.id


def entry_state(app, entry_id) -> dict:
    return state_of(app, WatchEntry, entry_id)


def entry_actions(app, entry_id=None) -> list[str]:
    """The audit trail's actions, about one watch-list entry when given."""
    return actions(app, "watch_entry", entry_id)


# --- figures, committed in their own app context --------------------------------------------------

# The figures pages' months of 2011-12 (tests/figures/conftest.py's `today` is 15 November 2011).
APR, SEP, OCT, NOV, DEC = (date(2011, m, 1) for m in (4, 9, 10, 11, 12))

def add_clients(app, count: int, *, strand: str = "catch_convict", joined_on: date = date(2011, 4, 1),
                left_on: date | None = None, prefix: str = "C") -> None:
    """Clients with one period each, straight into the tables."""
    with app.app_context():
        start = db.session.scalar(select(func.count()).select_from(Client))
        rows = [{"reference": f"{prefix}-{start + n:05d}", "given_name": "Given", "family_name": f"Family{start + n}",
                 "programme": "ppo", "alcohol_related": "unknown"} for n in range(count)]
        ids = db.session.scalars(insert(Client).returning(Client.id, sort_by_parameter_order=True), rows).all()
        if ids:
            db.session.execute(insert(SchemePeriod), [
                {"client_id": client_id, "strand": strand, "joined_on": joined_on, "left_on": left_on,
                 "exit_reason": "completed" if left_on else None} for client_id in ids])
        db.session.commit()


def set_rule(app, effective_from: date, minimum: int, strands: str = "catch_convict,resettle_rehabilitate") -> None:
    with app.app_context():
        db.session.add(SchemeRule(effective_from=effective_from, minimum_cohort=minimum, counted_strands=strands))
        db.session.commit()


def set_sac(app, month: date, crimes: int) -> None:
    with app.app_context():
        db.session.add(SacCount(month=month, crimes=crimes))
        db.session.commit()


def counts(app) -> dict:
    """How many of each figures record exist: 'nothing changed' means these stay the same."""
    with app.app_context():
        return {model.__tablename__: db.session.scalar(select(func.count()).select_from(model))
                for model in (SacCount, SchemeRule, MonthClosure)}


# --- plain rows, inside the caller's app context (figures and reports) -----------------------------

FIRST, LAST = date(2011, 4, 1), date(2012, 3, 31)       # 2011-12
BEFORE, AFTER = date(2011, 3, 31), date(2012, 4, 1)      # the days either side


def client(ref, periods=(), *, given="Given", family=None, born=None, pnc=None, ward=None, programme="other",
           alcohol="unknown", custody=(), risk=None, updated=None):
    """periods: [(strand, joined, left)] or [(strand, joined, left, reason)]; custody: [(status, from_date)]."""
    row = Client(reference=ref, given_name=given, family_name=family or f"Family{ref}", date_of_birth=born,
                 pnc_id=pnc, ward=ward, programme=programme, alcohol_related=alcohol, risk_level=risk)
    if updated is not None:
        row.created_at = row.updated_at = updated
    db.session.add(row)
    db.session.flush()
    for period in periods:
        strand, joined, left, *reason = period
        db.session.add(SchemePeriod(client_id=row.id, strand=strand, joined_on=joined, left_on=left,
                                    exit_reason=(reason[0] if reason else "completed") if left else None))
    for status, day in custody:
        db.session.add(CustodyEvent(client_id=row.id, status=status, from_date=day,
                                    establishment=None if status == "community" else "HMP Nowhere"))
    db.session.flush()
    if updated is not None:  # the flush above bumped updated_at through onupdate; put it back
        db.session.execute(update(Client).where(Client.id == row.id).values(updated_at=updated))
        db.session.expire(row)
    return row


def sac(month: date, crimes: int) -> None:
    db.session.add(SacCount(month=month, crimes=crimes))
    db.session.flush()


def referral(person, kind, referred_on, status="open", closed_on=None, outcome=None, **extra):
    row = Referral(client_id=person.id, kind=kind, referred_on=referred_on, status=status, closed_on=closed_on,
                   outcome=outcome, **extra)
    db.session.add(row)
    db.session.flush()
    return row


def payment(person, paid_on, amount, purpose="id_documents", status="approved", achieved=None, detail="For ID"):
    row = SupportPayment(client_id=person.id, paid_on=paid_on, amount_gbp=Decimal(amount), purpose=purpose,
                         status=status, achieved=achieved, detail=detail, financial_year=FinancialYear.of(paid_on).label)
    db.session.add(row)
    db.session.flush()
    return row


def watch(added_on, closed_on=None, outcome=None, *, given="Watched", family="Person", born=None, pnc=None,
          person=None):
    row = WatchEntry(given_name=given, family_name=family, date_of_birth=born, pnc_id=pnc,
                     partner_agency="Partner", reason="Concern", added_on=added_on, closed_on=closed_on,
                     outcome=outcome, client_id=person.id if person is not None else None)
    db.session.add(row)
    db.session.flush()
    return row


def offence(person, offence_on: date, offence_type="domestic_burglary", *, watched=None, **extra):
    """An offence row: a client's (person), or a watch-list person's (watched, a WatchEntry)."""
    row = Offence(client_id=person.id if person is not None else None,
                  watch_entry_id=watched.id if watched is not None else None,
                  offence_on=offence_on, offence_type=offence_type, **extra)
    db.session.add(row)
    db.session.flush()
    return row


def note(person, written_on: date, author_id: int, body="Seen at home"):
    db.session.add(CaseNote(client_id=person.id, author_id=author_id, body=body,
                            written_at=datetime(written_on.year, written_on.month, written_on.day, 12,
                                                tzinfo=timezone.utc)))
    db.session.flush()


def old_timestamp() -> datetime:
    """A record last touched long before the years under test."""
    return datetime(2009, 1, 1, tzinfo=timezone.utc)


# --- import files: written as a partnership would save them ---------------------------------------

CLIENTS = "reference,given_name,family_name,date_of_birth,pnc_id,strand,programme,joined_on,left_on,exit_reason," \
          "alcohol_related,ward"

CUSTODY = "reference,status,from_date"

REFERRALS = "reference,kind,referred_on,agency,status,closed_on"

PAYMENTS = "reference,paid_on,amount_gbp,purpose"

SAC = "month,serious_acquisitive_crimes"

BUDGETS = "financial_year,amount_gbp"

FAULT_LINE = re.compile(r"^[^:\s][^:]*:\d+: ")

def pnc(year: int, serial: int) -> str:
    """A PNC id with the right check letter: pnc(11, 123456) -> '11/123456?'."""
    return f"{year:02d}/{serial}{PNC_LETTERS[int(f'{year:02d}{serial:07d}') % 23]}"

def csv_text(header: str, *rows: str) -> str:
    return "\n".join([header, *rows]) + "\n"

def fault_lines(result) -> list[str]:
    return [line for line in result.stderr.splitlines() if FAULT_LINE.match(line)]

def table_counts() -> dict[str, int]:
    models = {"clients": Client, "periods": SchemePeriod, "custody": CustodyEvent, "referrals": Referral,
              "referral_history": ReferralStatusChange, "payments": SupportPayment, "sac": SacCount,
              "budgets": Budget, "offences": Offence, "unit_costs": OffenceUnitCost}
    return {name: db.session.scalar(select(func.count()).select_from(model)) for name, model in models.items()}

EMPTY = {"clients": 0, "periods": 0, "custody": 0, "referrals": 0, "referral_history": 0, "payments": 0,
         "sac": 0, "budgets": 0, "offences": 0, "unit_costs": 0}

def write_workbook(path, sheets: dict[str, list[list]]) -> None:
    """An .xlsx with a sheet per entry; cells keep their Python types (text, numbers, dates)."""
    import xlsxwriter
    workbook = xlsxwriter.Workbook(str(path), {"strings_to_numbers": False})
    dates = workbook.add_format({"num_format": "dd/mm/yyyy"})
    for name, rows in sheets.items():
        sheet = workbook.add_worksheet(name)
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                if value is None or value == "":
                    continue
                if isinstance(value, date):
                    sheet.write_datetime(r, c, value, dates)
                elif isinstance(value, (int, float)):
                    sheet.write_number(r, c, value)
                else:
                    sheet.write_string(r, c, str(value))
    workbook.close()

def csv_rows(text: str) -> list[list[str]]:
    import csv
    import io
    return list(csv.reader(io.StringIO(text)))

def sample_files() -> dict[str, str]:
    """A small, valid caseload over two financial years, touching every file and rule."""
    return {
        "clients.csv": csv_text(
            CLIENTS,
            f"IOM-0001,Alder,Demo-Bittern,05/04/1990,{pnc(11, 123456)},catch_convict,ppo,2011-04-01,2011-06-30,"
            "completed,yes,Northfield",
            f"IOM-0001,Alder,Demo-Bittern,1990-04-05,{pnc(11, 123456)},resettle_rehabilitate,ppo,2011-08-01,,,yes,"
            "Northfield",
            "IOM-0002,Birch,Demo-Curlew,,,prevent_deter,dip,01/05/2011,31/10/2011,moved_away,no,",
            "IOM-0003,Cedar,Démo-Dunlin,1985-12-31,,catch_convict,youth,2011-10-31,,,unknown,Eastbrook",
            "IOM-0004,Elm,Demo-Heron,,,resettle_rehabilitate,,2012-03-31,2012-04-01,deceased,yes,",
        ),
        "custody.csv": csv_text(CUSTODY, "IOM-0001,remand,2011-05-01", "IOM-0001,community,2011-05-20",
                                "IOM-0003,custody,2011-10-31", "IOM-0002,remand,2010-01-01"),
        "referrals.csv": csv_text(REFERRALS, "IOM-0002,housing,2011-05-02,Council housing team,completed,2011-07-01",
                                  "IOM-0001,mental_health,2011-06-02,,open,",
                                  "IOM-0003,housing,2012-03-01,,accepted,",
                                  "IOM-0004,mental_health,2011-12-01,NHS trust,declined,2012-04-02"),
        "payments.csv": csv_text(PAYMENTS, "IOM-0001,2011-06-01,70.5,Bus fare to an interview",
                                 "IOM-0002,2012-03-31,£1.00,id_documents", "IOM-0003,2012-04-01,250,Work boots"),
        "sac.csv": csv_text(SAC, "2011-10,81", "2011-11,0", "2012-04,64"),
        "budgets.csv": csv_text(BUDGETS, "2011-12,1200", "2012-13,\"1,000.00\""),
    }

SAMPLE_YEARS = ("2010-11", "2011-12", "2012-13")

def figures_snapshot(years=SAMPLE_YEARS) -> dict:
    """Every figure the contract names, for each year: months, payments, referrals, alcohol."""
    from iom.figures import monthly
    parsed = {year: FinancialYear.parse(year) for year in years}
    return {year: {"months": [month.as_json() for month in monthly.year_figures(fy)],
                   "payments": monthly.payments(fy), "referrals": monthly.referrals(fy),
                   "alcohol_related": monthly.alcohol_related(fy)} for year, fy in parsed.items()}


# --- offences and adoption scores -----------------------------------------------------------------

def scored_offence(on: date, offence_type: str = "shoplifting", *, person=None, entry=None, **extra):
    """`offence` with the day first, as the adoption score's tests read best (days_ago(100)): a client's
    (`person`) or a watch-list entry's (`entry`)."""
    return offence(person, on, offence_type, watched=entry, **extra)


def days_ago(days: int) -> date:
    return TODAY - timedelta(days=days)


def age_sessions(app, **ago: timedelta) -> None:
    """Move every session's named times back from now: age_sessions(app, last_seen_at=timedelta(minutes=31))
    (timedelta(0) for now)."""
    with app.app_context():
        db.session.execute(update(UserSession).values({name: utcnow() - delta for name, delta in ago.items()}))
        db.session.commit()


# --- forms ----------------------------------------------------------------------------------------

def referral_form(kind="housing", **overrides) -> dict:
    """A valid form for a new open referral; dates as date objects (None for blank)."""
    referred = TODAY - timedelta(days=10)
    fields = {"referred_on": referred, "agency_id": "other", "agency_other": "Shelter",
              "need": "Needs somewhere to live on release", "status": "open", "closed_on": None,
              "outcome_notes": "", "next_action": "Phone Shelter", "next_action_due_on": TODAY + timedelta(days=3)}
    if kind == "housing":
        fields.update({"duty_to_refer_made": "yes", "duty_to_refer_on": referred,
                       "duty_to_refer_local_authority": "Leeds City Council", "duty_to_refer_outcome": "pending"})
    fields.update(overrides)
    return {key: day_month_year(value) if key.endswith("_on") and not isinstance(value, list) else value
            for key, value in fields.items() if value is not ...}



# --- a caseload full of identifiers, for the tests that none reaches the reviewer --------------

NAMED_YEAR = "2011-12"
NAMED_PEOPLE = [
    # reference, given, family, born, PNC, ward
    ("IOM-0001", "Ottoline", "Brackenbury", date(1985, 2, 3), "11/123456H", "Quillbrook"),
    ("IOM-0002", "Peregrine", "Wolstenholme", date(1990, 11, 27), "09/654321P", "Marrowdene East"),
    ("IOM-0003", "Xanthe", "Fotheringay", date(1979, 6, 9), "2005/7777777K", "Thistlecombe"),
]
NAMED_WATCHED = [("Lysander", "Quibbleworth", date(1996, 8, 14), "12/111111U")]
NAMED_CRIME_REFERENCES = ["47/ZX9143/11", "47/ZX9144/11", "47/ZX9145/11"]  # the police crime numbers of their offences


def identifiers() -> list[str]:
    found = []
    for reference, given, family, born, pnc, ward in NAMED_PEOPLE:
        found += [reference, given, family, f"{given} {family}", f"{family}, {given}", pnc, ward, *date_forms(born)]
    for given, family, born, pnc in NAMED_WATCHED:
        found += [given, family, pnc, *date_forms(born)]
    return found + NAMED_CRIME_REFERENCES


def assert_clean(text: str, where: str) -> None:
    lowered = text.lower()
    leaks = [value for value in identifiers() if value.lower() in lowered]
    assert not leaks, f"{where} holds {leaks}"


@pytest.fixture
def identified_caseload(app, make_user):
    """Three clients with every identifier filled in, and those identifiers typed into every free-text field
    (for the tests that no pack or paper carries one: tests/reports/test_no_identifiers.py)."""
    author_id, _ = make_user("officer")
    with app.app_context():
        people = []
        for n, (reference, given, family, born, pnc, ward) in enumerate(NAMED_PEOPLE):
            named = f"{given} {family} ({pnc}, {born:%d/%m/%Y}, {ward})"
            person = client(reference, [("catch_convict", date(2010, 1, 1) if n else LAST, None)],
                            given=given, family=family, born=born, pnc=pnc, ward=ward, programme="ppo",
                            alcohol="yes", custody=[("remand", date(2011, 5, n + 1)), ("community", date(2011, 9, 1))])
            note(person, date(2011, 6, 1), author_id, body=f"Saw {named} at home")
            referral(person, "housing", FIRST, "completed", date(2011, 6, 1), "settled_accommodation",
                     agency_other=f"Hostel for {family}", need=named, outcome_notes=named,
                     duty_to_refer_made=True, duty_to_refer_on=FIRST, duty_to_refer_local_authority=ward,
                     duty_to_refer_outcome="relief_duty")
            payment(person, date(2011, 7, 1), "12.50", achieved="job_obtained", detail=f"Boots for {named}")
            for day in (date(2010, 3, 1), date(2011, 8, 1)):  # before and after adoption, and in the year
                offence(person, day, "robbery", crime_reference=NAMED_CRIME_REFERENCES[n], outcome="convicted")
            people.append(person)
        for given, family, born, pnc in NAMED_WATCHED:
            watch(FIRST, given=given, family=family, born=born, pnc=pnc)
        watch(FIRST, LAST, "adopted", given=NAMED_PEOPLE[0][1], family=NAMED_PEOPLE[0][2], person=people[0])
        for month in range(4, 10):
            sac(date(2010, month, 1), 50)
            sac(date(2011, month, 1), 40)
        db.session.add(ValueForMoneyBaseline(financial_year=NAMED_YEAR, baseline_from=date(2010, 4, 1),
                                             baseline_to=date(2011, 3, 1)))
        db.session.add(UnitCost(crime_type="Domestic burglary near Quillbrook", cost_gbp=1, share_percent=5,
                                source="Told by Ottoline Brackenbury", price_year="2015/16"))
        db.session.add(OffenceUnitCost(offence_type="shoplifting", cost_gbp=Decimal("120.00"), price_year="2015-16",
                                       source="Agreed with Peregrine Wolstenholme of Thistlecombe"))
        for year in ("2010-11", NAMED_YEAR):
            db.session.add(SchemeCost(financial_year=year, staff_costs_gbp=Decimal("1000.00"),
                                      other_costs_gbp=Decimal("0.00"), source="Timesheets checked by Xanthe Fotheringay"))
        question = SelfAssessmentQuestion(principle="Partners together", text="Ask Xanthe?", position=9)
        db.session.add(question)
        db.session.flush()
        db.session.add(SelfAssessmentAnswer(
            financial_year=NAMED_YEAR, question_id=question.id, rating="strong",
            evidence="Case of Peregrine Wolstenholme, IOM-0002, 09/654321P, born 1990-11-27, of Marrowdene East."))
        db.session.commit()
    return people


# --- another database: a restore's target -------------------------------------------------------

def app_on(app, uri: str):
    """An app like `app` (the same keys, the audit key included) over the database at `uri`."""
    from iom import create_app
    return create_app({key: app.config[key] for key in ("TESTING", "SECRET_KEY", "PSEUDONYM_KEY", "AUDIT_KEY")}
                      | {"SQLALCHEMY_DATABASE_URI": uri, "SERVER_NAME": None})


def scratch_postgres_database(uri: str, suffix: str) -> str:
    """An empty PostgreSQL database named after `uri`'s with `_suffix` (dropped and made again, through the
    `postgres` maintenance database): never the suite's own."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url
    main = make_url(uri)
    scratch = main.set(database=f"{main.database}_{suffix}")
    engine = create_engine(main.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{scratch.database}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{scratch.database}"'))
    engine.dispose()
    return scratch.render_as_string(hide_password=False)


def database_url(app) -> str:
    """The test database's address, password and all, for every_row()."""
    with app.app_context():
        return db.engine.url.render_as_string(hide_password=False)


def every_row(uri: str) -> dict[str, list[tuple]]:
    """Every table's rows in primary-key order, as the database gives them back: two databases with the
    same rows compare equal table by table."""
    from sqlalchemy import MetaData, create_engine
    engine = create_engine(uri)
    metadata = MetaData()
    metadata.reflect(engine)
    try:
        with engine.connect() as connection:
            return {name: [tuple(row) for row in connection.execute(
                select(table).order_by(*(table.primary_key.columns or table.columns)))]
                for name, table in sorted(metadata.tables.items())}
    finally:
        engine.dispose()


def populate_caseload(app, runner) -> None:
    """The demo caseload (every area's tables, through the operations), and more through the builders."""
    assert runner.invoke(args=["demo-data"]).exit_code == 0
    reference = add_client(app, "Backed", "Up", pnc=valid_pnc("09", "765432"))
    add_offence(app, reference)
    make_entry(app, given_name="Watched", family_name="Backup")
    with app.app_context():
        note(client_named(reference), TODAY - timedelta(days=2), db.session.scalar(select(User.id).limit(1)),
             body="Seen at the office")
        db.session.commit()


# --- people long gone from the scheme: the retention rule -----------------------------------------

def years_ago(years: int, month: int = 4, day: int = 1) -> date:
    """A day in the year `years` before TODAY's."""
    return date(TODAY.year - years, month, day)


def old_caseload(app) -> dict[str, str]:
    """People with every kind of record: two who left the scheme more than six years ago ('gone', 'quiet'),
    one who left five years ago ('recent') and one still on it ('current'); returns their references.
    Plain rows, committed, dated back from TODAY (the years 7 to 10 before it)."""
    from iom.clients.models import AlcoholScreening
    with app.app_context():
        author = db.session.scalar(select(User.id).limit(1))
        if author is None:
            db.session.add(User(username="old.author", role="officer", display_name="Old Author",
                                password_hash="x"))
            db.session.flush()
            author = db.session.scalar(select(User.id).limit(1))
        gone = client("OLD-GONE", [("catch_convict", years_ago(10, 4, 10), years_ago(9, 2, 20), "deselected"),
                                   ("resettle_rehabilitate", years_ago(9, 5, 1), years_ago(8, 1, 31))],
                      given="Gwendolyn", family="Oldacre", born=date(1990, 6, 15), pnc=pnc(9, 654321),
                      ward="Northfield", programme="ppo", alcohol="yes",
                      custody=[("remand", years_ago(10, 6, 1)), ("custody", years_ago(10, 7, 1)),
                               ("community", years_ago(10, 11, 15))])
        quiet = client("OLD-QUIET", [("prevent_deter", years_ago(10, 5, 1), years_ago(9, 3, 1), "moved_away")],
                       given="Quentin", family="Stillwater", born=date(1985, 2, 10), ward="", programme="dip",
                       alcohol="no", updated=datetime(TODAY.year - 10, 5, 2, tzinfo=timezone.utc))
        recent = client("NEW-RECENT", [("catch_convict", years_ago(10, 4, 1), years_ago(5, 6, 1))],
                        given="Rita", family="Recentley", born=date(1992, 4, 1), pnc=pnc(10, 111222))
        current = client("NEW-CURRENT", [("catch_convict", years_ago(10, 4, 1), None)], given="Carl",
                         family="Curranty", born=date(1988, 12, 31), custody=[("custody", years_ago(9, 8, 1))])
        for person in (gone, quiet, recent, current):
            for offset, kind in ((400, "domestic_burglary"), (200, "robbery"), (100, "shoplifting")):
                offence(person, years_ago(10, 4, 10) + timedelta(days=offset - 365), kind, outcome="convicted",
                        crime_reference=f"WY/{person.id}{offset}/11", alcohol_involved="yes")
            offence(person, years_ago(9, 9, 1), "theft_from_vehicle", crime_reference="WY/1/12")
            note(person, years_ago(10, 6, 2), author, body=f"Met {person.given_name} at home in Northfield")
            referral(person, "housing", years_ago(10, 6, 1), "completed", years_ago(10, 9, 1), "settled_accommodation",
                     need=f"Sofa-surfing at {person.given_name}'s sister's",
                     outcome_notes=f"Flat at 12 Acacia Road for {person.family_name}", agency_other="Shelter",
                     duty_to_refer_made=True, duty_to_refer_on=years_ago(10, 6, 1), duty_to_refer_outcome="relief_duty")
            referral(person, "mental_health", years_ago(10, 7, 1), "declined", years_ago(10, 8, 1), "not_eligible",
                     need=f"{person.given_name}: low mood since their father died")
            referral(person, "alcohol", years_ago(9, 1, 5), "completed", years_ago(9, 3, 1), "treatment_completed",
                     need="Drinks daily")
            payment(person, years_ago(10, 10, 5), "70.00", "travel_to_interview", achieved="job_obtained",
                    detail=f"Bus to an interview at Acme for {person.given_name}")
            payment(person, years_ago(9, 1, 5), "25.50", "other", status="requested", detail="Boots")
            db.session.add(AlcoholScreening(client_id=person.id, screened_on=years_ago(10, 9, 1), drinking_frequency=3,
                                            typical_units=2, heavy_drinking_frequency=2))
            entry = watch(years_ago(11, 1, 5), years_ago(10, 4, 10) if person is not current else None,
                          "adopted" if person is not current else None, given=person.given_name,
                          family=person.family_name, born=person.date_of_birth, pnc=person.pnc_id, person=person)
            offence(None, years_ago(11, 2, 1), "criminal_damage", watched=entry, crime_reference=f"WY/9{person.id}/10")
        sac(years_ago(10, 10, 1), 81)
        sac(years_ago(9, 1, 1), 64)
        db.session.commit()
        return {"gone": gone.reference, "quiet": quiet.reference, "recent": recent.reference,
                "current": current.reference}
