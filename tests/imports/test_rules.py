"""Every rule of the import format, each with its exact line: FILE:ROW: column: message, the ROW
being the number a spreadsheet shows (the header is row 1). A refused import writes nothing."""
from datetime import date, timedelta
from decimal import Decimal

from iom.clock import today_in_london
from iom.years import FinancialYear

from tests.builders import BUDGETS, CLIENTS, CUSTODY, PAYMENTS, REFERRALS, SAC, csv_text, pnc

CLIENT = "IOM-0001,Alder,Demo,05/04/1990,,catch_convict,ppo,2011-04-01,,,yes,North"


def clients(*rows: str) -> dict:
    return {"clients.csv": csv_text(CLIENTS, *rows)}


# --- the contract's own example, and dates -------------------------------------------------------

def test_the_contracts_example_line(refuses):
    lines = refuses(clients(CLIENT, "IOM-0002,Birch,Demo,2011-04-02,,catch_convict,,2011-04-01,,,,",
                            "IOM-0003,Cedar,Demo,15/01/1980,,catch_convict,,2011-04-01,,,,",
                            "IOM-0004,Elm,Demo,31/02/1990,,catch_convict,,2011-04-01,,,,"))
    assert lines == ["clients.csv:5: date_of_birth: '31/02/1990' is not a real date"]


def test_dates_in_iso_or_uk_form_and_real(refuses):
    lines = refuses(clients(
        "IOM-0001,A,Demo,1990.02.03,,catch_convict,,2011-04-01,,,,",
        "IOM-0002,B,Demo,2/3/90,,catch_convict,,2011-04-01,,,,",
        "IOM-0003,C,Demo,,,catch_convict,,2011-02-29,,,,",
        "IOM-0004,D,Demo,29/02/2012,,catch_convict,,1899-12-31,,,,",
        "IOM-0005,E,Demo,,,catch_convict,,31/04/2011,,,,"))
    assert lines == [
        "clients.csv:2: date_of_birth: '1990.02.03' is not a date: write it as DD/MM/YYYY or YYYY-MM-DD, "
        "for example 27/03/2011 or 2011-03-27",
        "clients.csv:3: date_of_birth: '2/3/90' is not a date: write it as DD/MM/YYYY or YYYY-MM-DD, "
        "for example 27/03/2011 or 2011-03-27",
        "clients.csv:4: joined_on: '2011-02-29' is not a real date",
        "clients.csv:5: joined_on: '1899-12-31' is before 1900: check the year",
        "clients.csv:6: joined_on: '31/04/2011' is not a real date",
    ]


def test_uk_and_iso_dates_mean_the_same_day(accepts, app):
    accepts(clients("IOM-0001,Alder,Demo,05/04/1990,,catch_convict,ppo,1/4/2011,30/06/2011,completed,yes,North",
                    "IOM-0001,Alder,Demo,1990-04-05,,catch_convict,ppo,2011-08-01,,,yes,North"))
    from iom.clients.models import Client, SchemePeriod
    from iom.extensions import db
    with app.app_context():
        assert db.session.scalar(db.select(Client.date_of_birth)) == date(1990, 4, 5)
        assert db.session.execute(db.select(SchemePeriod.joined_on, SchemePeriod.left_on)
                                  .order_by(SchemePeriod.joined_on)).tuples().all() == [
            (date(2011, 4, 1), date(2011, 6, 30)), (date(2011, 8, 1), None)]


def test_dates_that_cannot_be_yet(refuses):
    tomorrow = (today_in_london() + timedelta(days=2)).isoformat()
    lines = refuses({**clients(f"IOM-0001,A,Demo,{tomorrow},,catch_convict,,{tomorrow},,,,"),
                     "custody.csv": csv_text(CUSTODY, f"IOM-0001,remand,{tomorrow}")})
    assert lines == [
        f"clients.csv:2: date_of_birth: '{tomorrow}' is not in the past: check the date of birth",
        f"clients.csv:2: joined_on: '{tomorrow}' is in the future: the date a client joined the scheme must be "
        "today or earlier",
        f"custody.csv:2: from_date: '{tomorrow}' is in the future: the date of a custody change must be today "
        "or earlier",
    ]


# --- columns -----------------------------------------------------------------------------------------

def test_required_columns_present_and_unknown_columns_refused(refuses):
    lines = refuses({
        "clients.csv": csv_text("reference,given_name,date_of_brith,strand,joined_on,notes",
                                "IOM-0001,Alder,1990-01-01,catch_convict,2011-04-01,x"),
        "sac.csv": csv_text("month", "2011-10"),
    })
    columns = "reference, given_name, family_name, date_of_birth, pnc_id, strand, programme, joined_on, " \
              "left_on, exit_reason, alcohol_related, ward, tier"
    assert lines == [
        "clients.csv:1: family_name: this column is missing, and every row needs it: add a column headed "
        "family_name",
        f"clients.csv:1: date_of_brith: clients.csv has no column of this name: check the spelling, or delete the "
        f"column (its columns are {columns})",
        f"clients.csv:1: notes: clients.csv has no column of this name: check the spelling, or delete the column "
        f"(its columns are {columns})",
        "sac.csv:1: serious_acquisitive_crimes: this column is missing, and every row needs it: add a column "
        "headed serious_acquisitive_crimes",
    ]


def test_headings_ignore_case_spaces_and_required_marks(accepts):
    accepts({"clients.csv": csv_text(" Reference* ,Given_Name,FAMILY_NAME,Strand,Joined_On",
                                     "IOM-0001,Alder,Demo,catch_convict,2011-04-01")})


def test_a_column_twice_a_nameless_column_with_values_and_a_stray_cell(refuses):
    lines = refuses({"custody.csv": csv_text("reference,status,from_date,status,", "IOM-0001,remand,2011-05-01,x,y",
                                             "IOM-0001,remand,2011-05-02,,,z")})
    not_a_client = "reference: 'IOM-0001' is not a client in the database or in a clients.csv imported with it: " \
                   "check the reference, or add the client's rows to clients.csv"
    assert lines == [
        "custody.csv:1: status: this column appears twice (columns B and D): delete one of them",
        "custody.csv:1: column E: has values (from row 2) but no name in the first row: name it as one of "
        "reference, status, from_date, or delete it",
        f"custody.csv:2: {not_a_client}",
        f"custody.csv:3: {not_a_client}",
        "custody.csv:3: this row has a value in column F, past the last column named in the first row: move it "
        "into the right column or delete it",
    ]


def test_required_cells_empty(refuses):
    lines = refuses({**clients(",,,,,,,,,,,", "IOM-0001,,Demo,,,,,,,,,"),
                     "custody.csv": csv_text(CUSTODY, ",,2011-01-01"),
                     "referrals.csv": csv_text(REFERRALS, "IOM-0001,,,,,"),
                     "payments.csv": csv_text(PAYMENTS, "IOM-0001,,,"),
                     "sac.csv": csv_text(SAC, "2011-10,"),
                     "budgets.csv": csv_text(BUDGETS, ",10")})
    # row 2 is all empty cells: a blank row, skipped like a trailing one
    assert lines == [
        "clients.csv:3: given_name: is empty: enter the client's given name",
        "clients.csv:3: strand: is empty: enter the strand (prevent_deter, catch_convict or resettle_rehabilitate)",
        "clients.csv:3: joined_on: is empty: enter the date the client joined the scheme",
        "custody.csv:2: reference: is empty: enter the client's reference",
        "custody.csv:2: status: is empty: enter the status from that day (community, remand or custody)",
        "referrals.csv:2: kind: is empty: enter the kind of referral (housing, mental_health or alcohol)",
        "referrals.csv:2: referred_on: is empty: enter the date the referral was made",
        "referrals.csv:2: status: is empty: enter the referral's status (open, accepted, completed, declined or "
        "withdrawn)",
        "payments.csv:2: paid_on: is empty: enter the date the payment was made",
        "payments.csv:2: amount_gbp: is empty: enter the amount paid, in pounds and pence",
        "payments.csv:2: purpose: is empty: enter what the payment was for",
        "sac.csv:2: serious_acquisitive_crimes: is empty: enter the number of serious acquisitive crimes recorded "
        "that month",
        "budgets.csv:2: financial_year: is empty: enter the financial year, as YYYY-YY",
    ]


def test_text_too_long_for_the_record(refuses):
    lines = refuses(clients(f"IOM-0001,{'A' * 101},Demo,,,catch_convict,,2011-04-01,,,,{'W' * 101}",
                            f"{'R' * 33},B,Demo,,,catch_convict,,2011-04-01,,,,"))
    assert lines == [
        "clients.csv:2: given_name: is 101 characters long: it can be at most 100 characters",
        "clients.csv:2: ward: is 101 characters long: it can be at most 100 characters",
        f"clients.csv:3: reference: '{'R' * 33}' is not a reference the service can use: use up to 32 letters, "
        "numbers, hyphens (-), full stops or underscores, starting with a letter or number",
    ]


# --- enumerations ------------------------------------------------------------------------------------

def test_enumerations(refuses):
    lines = refuses({
        **clients("IOM-0001,A,Demo,,,catch,police,2011-04-01,2011-05-01,bored,maybe,"),
        "custody.csv": csv_text(CUSTODY, "IOM-0001,prison,2011-05-01"),
        "referrals.csv": csv_text(REFERRALS, "IOM-0001,dental,2011-05-01,,pending,"),
    })
    assert lines == [
        "clients.csv:2: strand: 'catch' is not a strand: use prevent_deter, catch_convict or resettle_rehabilitate",
        "clients.csv:2: programme: 'police' is not a programme: use ppo, dip, youth or other",
        "clients.csv:2: exit_reason: 'bored' is not an exit reason: use completed, desisted, moved_away, "
        "deselected, transferred, deceased or other",
        "clients.csv:2: alcohol_related: 'maybe' is not an answer the service knows: use yes, no or unknown",
        "custody.csv:2: status: 'prison' is not a custody status: use community, remand or custody",
        "referrals.csv:2: kind: 'dental' is not a kind of referral: use housing, mental_health or alcohol",
        "referrals.csv:2: status: 'pending' is not a referral status: use open, accepted, completed, declined or "
        "withdrawn",
    ]


def test_enumerations_ignore_case_and_blanks_take_the_defaults(accepts, app):
    accepts(clients("IOM-0001,A,Demo,,,Catch_Convict,,2011-04-01,2011-05-01,Completed,,"))
    from iom.clients.models import Client, SchemePeriod
    from iom.extensions import db
    with app.app_context():
        assert db.session.execute(db.select(Client.programme, Client.alcohol_related)).one() == ("other", "unknown")
        assert db.session.execute(db.select(SchemePeriod.strand, SchemePeriod.exit_reason)).one() == \
            ("catch_convict", "completed")


# --- PNC ids -----------------------------------------------------------------------------------------

def test_pnc_ids_are_checked_to_the_check_letter(refuses, existing_client):
    good, other = pnc(11, 123456), pnc(9, 7)
    wrong_letter = good[:-1] + ("A" if good[-1] != "A" else "B")
    existing_client("IOM-0900", pnc_id=other)
    lines = refuses(clients(f"IOM-0001,A,Demo,,{wrong_letter},catch_convict,,2011-04-01,,,,",
                            "IOM-0002,B,Demo,,11-123456,catch_convict,,2011-04-01,,,,",
                            f"IOM-0003,C,Demo,,{good},catch_convict,,2011-04-01,,,,",
                            f"IOM-0004,D,Demo,,{good.lower()},catch_convict,,2011-04-01,,,,",
                            f"IOM-0005,E,Demo,,{other},catch_convict,,2011-04-01,,,,"))
    assert lines == [
        f"clients.csv:2: pnc_id: '{wrong_letter}' has the wrong check letter for its numbers, so it is probably "
        "mistyped: copy the PNC ID exactly from the record",
        "clients.csv:3: pnc_id: '11-123456' is not a PNC ID: write it like 11/123456H (the year, a slash, the "
        "serial number and the check letter), or leave it empty",
        f"clients.csv:5: pnc_id: {good} is also the PNC ID of IOM-0003 on row 4: one person has one PNC ID, so two "
        "clients cannot share it",
        f"clients.csv:6: pnc_id: {other} is already recorded for client IOM-0900 in the database: one person has "
        "one PNC ID, so check which client this is",
    ]


def test_pnc_ids_are_stored_in_capitals_without_spaces(accepts, app):
    good = pnc(4, 98765)
    accepts(clients(f"IOM-0001,A,Demo,,{' '.join(good.lower())},catch_convict,,2011-04-01,,,,"))
    from iom.clients.models import Client
    from iom.extensions import db
    with app.app_context():
        assert db.session.scalar(db.select(Client.pnc_id)) == good


# --- periods on the scheme ---------------------------------------------------------------------------

def test_leaving_needs_a_reason_and_a_reason_needs_leaving(refuses):
    lines = refuses(clients("IOM-0001,A,Demo,,,catch_convict,,2011-04-01,2011-05-01,,,",
                            "IOM-0002,B,Demo,,,catch_convict,,2011-04-01,,desisted,,",
                            "IOM-0003,C,Demo,,,catch_convict,,2011-04-01,2011-03-31,completed,,"))
    assert lines == [
        "clients.csv:2: exit_reason: is empty, but left_on is given: enter why the client left (completed, "
        "desisted, moved_away, deselected, transferred, deceased or other)",
        "clients.csv:3: exit_reason: 'desisted' is given, but left_on is empty: enter the day the client left, or "
        "empty this cell if they are still on the scheme",
        "clients.csv:4: left_on: '2011-03-31' is before joined_on (2011-04-01): the day a client leaves must be on "
        "or after the day they joined",
    ]


def test_leaving_on_the_day_of_joining_is_allowed(accepts):
    accepts(clients("IOM-0001,A,Demo,,,catch_convict,,2011-04-01,2011-04-01,other,,"))


def test_periods_do_not_overlap_and_the_leaving_day_counts(refuses):
    lines = refuses(clients(
        "IOM-0001,A,Demo,,,catch_convict,,2011-04-01,2011-06-30,completed,,",
        "IOM-0001,A,Demo,,,catch_convict,,2011-06-30,,,,",             # joins on the leaving day
        "IOM-0002,B,Demo,,,catch_convict,,2011-04-01,,,,",
        "IOM-0002,B,Demo,,,prevent_deter,,2012-01-01,2012-02-01,moved_away,,",   # after an open period
        "IOM-0003,C,Demo,,,catch_convict,,2011-09-01,2011-12-31,completed,,",
        "IOM-0003,C,Demo,,,catch_convict,,2011-04-01,2012-06-01,completed,,",    # wraps round row 6, listed later
    ))
    assert lines == [
        "clients.csv:3: joined_on: this period (from 2011-06-30, with no leaving date) overlaps the period on row 2 "
        "(2011-04-01 to 2011-06-30) for IOM-0001: periods on the scheme cannot overlap, and the leaving day counts "
        "as a day on the scheme",
        "clients.csv:5: joined_on: this period (2012-01-01 to 2012-02-01) overlaps the period on row 4 (from "
        "2011-04-01, with no leaving date) for IOM-0002: periods on the scheme cannot overlap, and the leaving day "
        "counts as a day on the scheme",
        "clients.csv:6: joined_on: this period (2011-09-01 to 2011-12-31) overlaps the period on row 7 (2011-04-01 "
        "to 2012-06-01) for IOM-0003: periods on the scheme cannot overlap, and the leaving day counts as a day on "
        "the scheme",
    ]


def test_readoption_the_day_after_leaving_is_fine(accepts, app):
    accepts(clients("IOM-0001,A,Demo,,,catch_convict,,2011-04-01,2011-06-30,completed,,",
                    "IOM-0001,A,Demo,,,resettle_rehabilitate,,2011-07-01,,,,"))


def test_personal_details_identical_across_a_clients_rows(refuses):
    base = ["IOM-0001", "Alder", "Demo", "05/04/1990", pnc(11, 1), "catch_convict", "ppo", "2011-04-01",
            "2011-05-01", "completed", "yes", "North"]
    second = ["IOM-0001", "alder", "Demo", "1990-04-06", pnc(11, 2), "catch_convict", "dip", "2011-06-01",
              "2011-07-01", "completed", "no", ""]
    third = ["IOM-0001", "Alder", "Demo", "1990-04-05", pnc(11, 1), "prevent_deter", "ppo", "2011-08-01",
             "", "", "yes", "North"]   # the same details written another way: no fault
    lines = refuses(clients(",".join(base), ",".join(second), ",".join(third)))
    assert lines == [
        "clients.csv:3: given_name: 'alder' here but 'Alder' on row 2 for IOM-0001: a client's personal details "
        "must be the same on each of their rows",
        "clients.csv:3: date_of_birth: '1990-04-06' here but '05/04/1990' on row 2 for IOM-0001: a client's "
        "personal details must be the same on each of their rows",
        f"clients.csv:3: pnc_id: '{pnc(11, 2)}' here but '{pnc(11, 1)}' on row 2 for IOM-0001: a client's personal "
        "details must be the same on each of their rows",
        "clients.csv:3: programme: 'dip' here but 'ppo' on row 2 for IOM-0001: a client's personal details must be "
        "the same on each of their rows",
        "clients.csv:3: alcohol_related: 'no' here but 'yes' on row 2 for IOM-0001: a client's personal details "
        "must be the same on each of their rows",
        "clients.csv:3: ward: empty here but 'North' on row 2 for IOM-0001: a client's personal details must be "
        "the same on each of their rows",
    ]


# --- references ----------------------------------------------------------------------------------------

def test_references_must_exist_here_or_in_the_database(refuses, existing_client):
    existing_client("IOM-0900")
    lines = refuses({
        **clients(CLIENT),
        "custody.csv": csv_text(CUSTODY, "IOM-0001,remand,2011-05-01", "IOM-0900,remand,2011-05-01",
                                "IOM-0002,remand,2011-05-01"),
        "referrals.csv": csv_text(REFERRALS, "IOM-0003,housing,2011-05-01,,open,"),
        "payments.csv": csv_text(PAYMENTS, "iom-0001,2011-05-01,5,Bus fare"),
    })
    assert lines == [
        "custody.csv:4: reference: 'IOM-0002' is not a client in the database or in clients.csv of this import: "
        "check the reference, or add the client's rows to clients.csv",
        "referrals.csv:2: reference: 'IOM-0003' is not a client in the database or in clients.csv of this import: "
        "check the reference, or add the client's rows to clients.csv",
        "payments.csv:2: reference: 'iom-0001' is not a client in the database or in clients.csv of this import: "
        "check the reference, or add the client's rows to clients.csv",
    ]


def test_a_reference_already_in_the_database_is_never_overwritten(refuses, existing_client):
    existing_client("IOM-0001")
    lines = refuses(clients(CLIENT, CLIENT.replace("2011-04-01,,", "2011-03-01,2011-03-02,completed")
                            .replace(",,yes", ",yes")))
    assert lines == [
        "clients.csv:2: reference: IOM-0001 is already a client in the database: the import only adds new clients "
        "and never overwrites one, so take this client's rows out of clients.csv",
        "clients.csv:3: reference: IOM-0001 is already a client in the database: the import only adds new clients "
        "and never overwrites one, so take this client's rows out of clients.csv",
    ]


def test_rows_for_clients_already_in_the_database_are_added_to_them(accepts, existing_client, app):
    client_id = existing_client("IOM-0900", custody=[("remand", date(2011, 5, 1))])
    accepts({"custody.csv": csv_text(CUSTODY, "IOM-0900,community,2011-06-01"),
             "referrals.csv": csv_text(REFERRALS, "IOM-0900,housing,2011-05-01,Council,open,")})
    from iom.custody.models import CustodyEvent
    from iom.extensions import db
    with app.app_context():
        assert db.session.scalars(db.select(CustodyEvent.status).where(CustodyEvent.client_id == client_id)
                                  .order_by(CustodyEvent.from_date)).all() == ["remand", "community"]


# --- custody -------------------------------------------------------------------------------------------

def test_one_custody_event_per_client_per_day(refuses, existing_client):
    existing_client("IOM-0900", custody=[("remand", date(2011, 5, 1))])
    lines = refuses({**clients(CLIENT), "custody.csv": csv_text(
        CUSTODY, "IOM-0001,remand,2011-05-01", "IOM-0001,custody,01/05/2011", "IOM-0900,custody,01/05/2011",
        "IOM-0900,community,2011-05-02", "IOM-0001,community,2011-05-02")})
    assert lines == [
        "custody.csv:3: from_date: IOM-0001 has another custody change on the same day on row 2: only one change "
        "a day can be recorded, so keep one of the rows",
        "custody.csv:4: from_date: IOM-0900 already has a custody change on '01/05/2011' in the database (remand): "
        "only one change a day can be recorded, so take this row out",
    ]


def test_custody_may_fall_outside_the_scheme_periods(accepts):
    accepts({**clients(CLIENT), "custody.csv": csv_text(CUSTODY, "IOM-0001,remand,2010-01-01")})


# --- referrals -----------------------------------------------------------------------------------------

def test_referral_closed_on_rules(refuses):
    lines = refuses({**clients(CLIENT), "referrals.csv": csv_text(
        REFERRALS,
        "IOM-0001,housing,2011-05-01,Council,completed,",
        "IOM-0001,housing,2011-05-01,Council,declined,",
        "IOM-0001,mental_health,2011-05-01,,withdrawn,",
        "IOM-0001,housing,2011-05-01,Council,open,2011-06-01",
        "IOM-0001,housing,2011-05-01,Council,accepted,2011-06-01",
        "IOM-0001,housing,2011-05-01,Council,completed,2011-04-30",
        "IOM-0001,housing,2011-05-01,Council,completed,2011-05-01",     # the same day is fine
    )})
    assert lines == [
        "referrals.csv:2: closed_on: is empty, but the referral is completed: enter the date it was completed",
        "referrals.csv:3: closed_on: is empty, but the referral is declined: enter the date it was declined",
        "referrals.csv:4: closed_on: is empty, but the referral is withdrawn: enter the date it was withdrawn",
        "referrals.csv:5: closed_on: '2011-06-01' is given, but the referral is still open: empty this cell, or "
        "change the status to completed, declined or withdrawn",
        "referrals.csv:6: closed_on: '2011-06-01' is given, but the referral is still accepted: empty this cell, or "
        "change the status to completed, declined or withdrawn",
        "referrals.csv:7: closed_on: '2011-04-30' is before referred_on (2011-05-01): a referral cannot close "
        "before it was made",
    ]


def test_referral_agency_text_is_kept(accepts, app):
    accepts({**clients(CLIENT), "referrals.csv": csv_text(REFERRALS, "IOM-0001,housing,2011-05-01,Shelter Demo,"
                                                                     "completed,2011-06-01")})
    from iom.extensions import db
    from iom.referrals.models import Referral, ReferralStatusChange
    with app.app_context():
        referral = db.session.scalar(db.select(Referral))
        assert (referral.agency_other, referral.agency_id, referral.status, referral.closed_on) == \
            ("Shelter Demo", None, "completed", date(2011, 6, 1))
        history = db.session.scalar(db.select(ReferralStatusChange))
        assert (history.referral_id, history.to_status, history.changed_on) == (referral.id, "completed",
                                                                                date(2011, 6, 1))


# --- payments and budgets ------------------------------------------------------------------------------

def test_payment_amounts(refuses):
    lines = refuses({**clients(CLIENT), "payments.csv": csv_text(
        PAYMENTS, "IOM-0001,2011-05-01,0,Bus fare", "IOM-0001,2011-05-01,-5,Bus fare",
        "IOM-0001,2011-05-01,12.345,Bus fare", "IOM-0001,2011-05-01,lots,Bus fare",
        "IOM-0001,2011-05-01,£1.00,Bus fare", "IOM-0001,2011-05-01,70.5,Bus fare",
        "IOM-0001,2011-05-01,10000000000,Bus fare")})
    assert lines == [
        "payments.csv:2: amount_gbp: '0' is not more than £0: a payment must be for more than nothing",
        "payments.csv:3: amount_gbp: '-5' is not more than £0: a payment must be for more than nothing",
        "payments.csv:4: amount_gbp: '12.345' has more than 2 numbers after the decimal point: give pounds and "
        "pence, like 70.50",
        "payments.csv:5: amount_gbp: 'lots' is not an amount of money: write pounds and pence, like 70 or 70.50",
        "payments.csv:8: amount_gbp: '10000000000' is more than £100,000.00, the most the service accepts for a "
        "payment: check the amount",
    ]


def test_payment_purpose_is_kept_as_detail_and_known_purposes_are_recognised(accepts, app):
    accepts({**clients(CLIENT), "payments.csv": csv_text(
        PAYMENTS, "IOM-0001,2011-05-01,£1,000.00,Bus fare".replace("£1,000.00", '"£1,000.00"'),
        "IOM-0001,2012-05-02,0.50,id_documents")})
    from iom.extensions import db
    from iom.payments.models import SupportPayment
    with app.app_context():
        rows = db.session.execute(db.select(SupportPayment.amount_gbp, SupportPayment.purpose, SupportPayment.detail,
                                            SupportPayment.status, SupportPayment.financial_year)
                                  .order_by(SupportPayment.paid_on)).tuples().all()
    assert rows == [(Decimal("1000.00"), "other", "Bus fare", "approved", "2011-12"),
                    (Decimal("0.50"), "id_documents", None, "approved", "2012-13")]  # a bare code: no words


def test_a_years_payments_stay_within_the_default_budget(refuses, accepts):
    lines = refuses({**clients(CLIENT), "payments.csv": csv_text(
        PAYMENTS, "IOM-0001,2011-04-01,600,Bus fare", "IOM-0001,2012-03-31,400,Bus fare",
        "IOM-0001,2012-03-31,0.01,Bus fare", "IOM-0001,2012-04-01,999,Next year")})
    assert lines == [
        "payments.csv:4: amount_gbp: payments in 2011-12 come to £1,000.01, over that year's budget of £1,000.00 "
        "by £0.01; this is the payment that first goes over: take out or reduce payments, or raise the budget in "
        "budgets.csv",
    ]


def test_payments_count_what_is_already_in_the_database(refuses, existing_client):
    existing_client("IOM-0900", payments=[(date(2011, 6, 1), Decimal("950.00"))])
    lines = refuses({"payments.csv": csv_text(PAYMENTS, "IOM-0900,2011-07-01,40,Bus fare",
                                              "IOM-0900,2011-07-02,20,Bus fare")})
    assert lines == [
        "payments.csv:3: amount_gbp: payments in 2011-12 come to £1,010.00, counting £950.00 already paid in the "
        "database, over that year's budget of £1,000.00 by £10.00; this is the payment that first goes over: take "
        "out or reduce payments, or raise the budget in budgets.csv",
    ]


def test_a_budget_in_the_same_import_or_the_database_sets_the_limit(accepts, refuses, app):
    from iom.extensions import db
    from iom.payments.models import Budget
    accepts({**clients(CLIENT), "budgets.csv": csv_text(BUDGETS, "2011-12,1500"),
             "payments.csv": csv_text(PAYMENTS, "IOM-0001,2011-05-01,1500,Laptop")})
    with app.app_context():
        assert db.session.scalar(db.select(Budget.amount_gbp)) == Decimal("1500.00")
    lines = refuses({"payments.csv": csv_text(PAYMENTS, "IOM-0001,2011-05-02,0.01,Bus fare")}, folder="second")
    assert lines == [
        "payments.csv:2: amount_gbp: payments in 2011-12 come to £1,500.01, counting £1,500.00 already paid in the "
        "database, over that year's budget of £1,500.00 by £0.01; this is the payment that first goes over: take "
        "out or reduce payments, or raise the budget in budgets.csv",
    ]


def test_budget_rows(refuses, existing_client, app):
    existing_client("IOM-0900", payments=[(date(2011, 6, 1), Decimal("300.00"))])
    from iom.extensions import db
    from iom.payments.models import Budget
    with app.app_context():
        db.session.add(Budget(financial_year="2014-15", amount_gbp=Decimal("800.00")))
        db.session.commit()
    lines = refuses({"budgets.csv": csv_text(
        BUDGETS, "2011-12,200", "2012-13,-5", "2012-13,10", "2012-14,1", "2013-14,1.001", "2014-15,900",
        "2015/16,5", "2016-17,1000000.01")})
    assert lines == [
        "budgets.csv:2: amount_gbp: 2011-12's budget of £200.00 is less than the £300.00 already paid that year in "
        "the database: the budget must cover what has been paid",
        "budgets.csv:3: amount_gbp: '-5' is less than £0: a budget must be £0 or more",
        "budgets.csv:4: financial_year: '2012-13' is also on row 3: a year has one budget, so keep one of the rows",
        "budgets.csv:5: financial_year: '2012-14' is not a financial year: write it as YYYY-YY, for example 2011-12 "
        "(for 2012 that is 2012-13)",
        "budgets.csv:6: amount_gbp: '1.001' has more than 2 numbers after the decimal point: give pounds and pence, "
        "like 70.50",
        "budgets.csv:7: amount_gbp: the budget for 2014-15 is already set to £800.00 in the database: the import "
        "does not overwrite it, so change it in the service or take this row out",
        "budgets.csv:8: financial_year: '2015/16' is not a financial year: write it as YYYY-YY, for example 2011-12 "
        "(for 2015 that is 2015-16)",
        "budgets.csv:9: amount_gbp: '1000000.01' is more than £1,000,000.00, the most the service accepts for a "
        "budget: check the amount",
    ]


def test_a_budget_already_set_to_the_same_amount_is_left_alone(accepts, app):
    from iom.extensions import db
    from iom.payments.models import Budget
    with app.app_context():
        db.session.add(Budget(financial_year="2011-12", amount_gbp=Decimal("800.00")))
        db.session.commit()
    result = accepts({"budgets.csv": csv_text(BUDGETS, "2011-12,800", "2012-13,0")})
    assert "      1 budget(s) already set to the same amount, left as they are" in result.output
    assert "      1 yearly budget\n" in result.output
    with app.app_context():
        assert db.session.execute(db.select(Budget.financial_year, Budget.amount_gbp)
                                  .order_by(Budget.financial_year)).tuples().all() == [
            ("2011-12", Decimal("800.00")), ("2012-13", Decimal("0.00"))]


# --- serious acquisitive crime counts --------------------------------------------------------------------

def test_sac_months_unique_and_counts_whole_numbers(refuses, app):
    from iom.figures.models import SacCount
    from iom.extensions import db
    with app.app_context():
        db.session.add(SacCount(month=date(2011, 4, 1), crimes=90))
        db.session.commit()
    lines = refuses({"sac.csv": csv_text(SAC, "2011-10,81", "2011-10,2", "2011/11,3", "2011-13,3", "2011-12,-1",
                                         "2012-01,2.5", "2012-02,x", "2011-04,91", "2012-03,0", "2012-04,1000001")})
    assert lines == [
        "sac.csv:3: month: '2011-10' is also on row 2: a month has one count of serious acquisitive crimes, so keep "
        "one of the rows",
        "sac.csv:4: month: '2011/11' is not a month: write it as YYYY-MM, for example 2011-10",
        "sac.csv:5: month: '2011-13' is not a month: write it as YYYY-MM, for example 2011-10",
        "sac.csv:6: serious_acquisitive_crimes: '-1' is less than 0: the count must be 0 or more",
        "sac.csv:7: serious_acquisitive_crimes: '2.5' is not a whole number: write the count as a whole number, "
        "like 81",
        "sac.csv:8: serious_acquisitive_crimes: 'x' is not a number: write the count as a whole number, like 81",
        "sac.csv:9: serious_acquisitive_crimes: the database already records 90 serious acquisitive crimes for "
        "2011-04: the import does not overwrite it, so change it in the service or take this row out",
        "sac.csv:11: serious_acquisitive_crimes: '1000001' is more than 1,000,000: check the number",
    ]


def test_sac_counts_are_stored_by_month(accepts, app):
    accepts({"sac.csv": csv_text(SAC, "2011-10,81", "2011-11,0", "2011-12,\"1,204\"")})
    from iom.figures import monthly
    with app.app_context():
        months = {f.month_text: f.serious_acquisitive_crimes for f in monthly.year_figures(FinancialYear.parse("2011-12"))}
    assert (months["2011-10"], months["2011-11"], months["2011-12"], months["2012-01"]) == (81, 0, 1204, None)


# --- every fault, in order -------------------------------------------------------------------------------

def test_every_fault_is_reported_in_file_then_row_order(refuses):
    lines = refuses({
        "sac.csv": csv_text(SAC, "2011-13,1"),
        **clients("IOM-0001,A,Demo,,,catch,,2011-04-01,,,,", "IOM-0002,B,Demo,,,catch_convict,,2011-13-01,,,,"),
        "custody.csv": csv_text(CUSTODY, "IOM-0001,prison,2011-05-01"),
    })
    assert [line.split(": ")[0] for line in lines] == ["clients.csv:2", "clients.csv:3", "custody.csv:2", "sac.csv:2"]


def test_blank_rows_in_the_middle_keep_the_spreadsheet_row_numbers(refuses):
    lines = refuses({"clients.csv": "\n".join([CLIENTS, CLIENT, "", ",,,,,,,,,,,",
                                               "IOM-0002,B,Demo,,,catch,,2011-04-01,,,,"]) + "\n"})
    assert lines == ["clients.csv:5: strand: 'catch' is not a strand: use prevent_deter, catch_convict or "
                     "resettle_rehabilitate"]


def test_a_cell_over_several_lines_is_one_spreadsheet_row(refuses):
    lines = refuses({"clients.csv": "\n".join([CLIENTS, 'IOM-0001,Alder,Demo,,,catch_convict,,2011-04-01,,,,'
                                               '"Flat 1\nNorth"', "IOM-0002,B,Demo,,,catch,,2011-04-01,,,,"]) + "\n"})
    assert lines == ["clients.csv:3: strand: 'catch' is not a strand: use prevent_deter, catch_convict or "
                     "resettle_rehabilitate"]
