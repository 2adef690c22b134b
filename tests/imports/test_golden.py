"""A deliberately faulty import folder gives exactly this list of lines, in this order: the golden
record of every message the checks word, kept byte for byte whatever shape the checks take."""
from datetime import date
from decimal import Decimal

from iom.clients.models import Client, SchemePeriod
from iom.custody.models import CustodyEvent
from iom.extensions import db
from iom.figures.models import SacCount
from iom.payments.models import Budget, SupportPayment
from tests.builders import BUDGETS, CLIENTS, CUSTODY, REFERRALS, SAC, csv_text, pnc

LONG = "x" * 121
FAULTY = {
    "client.csv": "reference\nIOM-0001\n",
    "clients.csv": csv_text(
        CLIENTS,
        "IOM-0001,Alder,Demo,31/02/1990,,catch_convict,ppo,2011-04-01,,,yes,North",
        "IOM-0002,,Demo,1990-01-01,11/123456X,strands,spree,2999-01-01,,,maybe,",
        "IOM-0003,Cedar,Demo,1980-01-15,,catch_convict,,2011-04-01,2011-03-01,,,",
        "IOM-0003,Cedar,Demo,1980-01-16,,catch_convict,,2011-06-01,,completed,,",
        "SAVED-1,Saved,Client,,,catch_convict,,2011-04-01,,,,",
        "bad ref!,Fir,Demo,,,catch_convict,,2011-04-01,,,,",
        "IOM-0005,Elm,Demo,1985-05-05,,catch_convict,,2011-04-01,,,,",
        "IOM-0006,ELM,demo,05/05/1985,,catch_convict,,2011-04-01,,,,",
        "IOM-0007,Gorse,Demo,,,prevent_deter,,2011-04-01,2011-06-30,bored,,",
        "IOM-0007,Gorse,Demo,,,prevent_deter,,2011-06-30,,,,",
        f"IOM-0008,Hazel,Demo,2999-01-01,{pnc(10, 5000)},catch_convict,,2011-04-01,,,,{LONG}",
        f"IOM-0009,Holly,Demo,,{pnc(10, 5000)},catch_convict,,2011-04-01,,,,",
        f"IOM-0010,Ivy,Demo,,{pnc(10, 6000)},catch_convict,,2011-04-01,,,,",
        "IOM-0011,Juniper,Twin,1970-07-07,,catch_convict,,2011-04-01,,,,",
        ",Larch,,,,,,,,,,,extra"),
    "custody.csv": csv_text(
        CUSTODY,
        "IOM-0001,jail,2011-05-01",
        "IOM-0001,remand,2011-05-02",
        "IOM-0001,custody,2011-05-02",
        "NOPE-1,remand,2011-05-01",
        "SAVED-1,remand,2011-05-01",
        "IOM-0001,,2999-01-01"),
    "referrals.csv": csv_text(
        REFERRALS,
        "IOM-0001,housing,2011-05-02,Agency,completed,",
        "IOM-0001,mental_health,2011-06-02,,open,2011-07-01",
        "IOM-0001,housing,2011-06-02,,declined,2011-05-01",
        "IOM-0001,legal,2011-06-02,,opened,",
        f"IOM-0001,housing,,{LONG},open,"),
    "payments.csv": csv_text(
        "reference,paid_on,amount_gbp,purpose,purpose_category",
        "IOM-0001,2011-06-01,0,Bus,",
        "IOM-0001,2011-06-01,abc,Bus,",
        "IOM-0001,2011-06-01,1.234,Bus,",
        "IOM-0001,2011-06-01,200000,Bus,",
        "IOM-0001,2011-06-01,,,",
        "IOM-0001,2011-06-01,10,Bus,snacks",
        "IOM-0001,2012-06-01,400,Bus,",
        "IOM-0001,2012-06-02,200,Bus,",
        "SAVED-1,2013-06-01,-£5,Bus,"),
    "budgets.csv": csv_text(
        BUDGETS,
        "2012-13,500",
        "2012-13,600",
        "2011-2012,100",
        "2013-14,-5",
        "2010-11,700",
        "2011-12,10",
        "2014-15,1.999"),
    "sac.csv": csv_text(
        SAC + ",comment",
        "2011-13,5,",
        "2011-10,81,",
        "2011-10,82,",
        "2011-11,-3,",
        "2011-12,1.5,",
        "2012-01,99,",
        "1899-12,3,",
        "2012-02,,"),
}

EXPECTED = [
    # the one line the offending files changed, when they joined the import's list of files
    'client.csv:1: the import has no file of this name: rename it to one of clients.csv, custody.csv, '
    'referrals.csv, payments.csv, sac.csv, budgets.csv, offences.csv, unit_costs.csv, or move it out of the '
    'folder',
    "clients.csv:2: date_of_birth: '31/02/1990' is not a real date",
    "clients.csv:3: given_name: is empty: enter the client's given name",
    "clients.csv:3: pnc_id: '11/123456X' has the wrong check letter for its numbers, so it is probably "
    'mistyped: copy the PNC ID exactly from the record',
    "clients.csv:3: strand: 'strands' is not a strand: use prevent_deter, catch_convict or resettle_rehabilitate",
    "clients.csv:3: programme: 'spree' is not a programme: use ppo, dip, youth or other",
    "clients.csv:3: joined_on: '2999-01-01' is in the future: the date a client joined the scheme must "
    'be today or earlier',
    "clients.csv:3: alcohol_related: 'maybe' is not an answer the service knows: use yes, no or unknown",
    "clients.csv:4: left_on: '2011-03-01' is before joined_on (2011-04-01): the day a client leaves must "
    'be on or after the day they joined',
    'clients.csv:4: exit_reason: is empty, but left_on is given: enter why the client left (completed, '
    'desisted, moved_away, deselected, transferred, deceased or other)',
    "clients.csv:5: date_of_birth: '1980-01-16' here but '1980-01-15' on row 4 for IOM-0003: a client's "
    'personal details must be the same on each of their rows',
    "clients.csv:5: exit_reason: 'completed' is given, but left_on is empty: enter the day the client "
    'left, or empty this cell if they are still on the scheme',
    'clients.csv:6: reference: SAVED-1 is already a client in the database: the import only adds new '
    "clients and never overwrites one, so take this client's rows out of clients.csv",
    "clients.csv:7: reference: 'bad ref!' is not a reference the service can use: use up to 32 letters, "
    'numbers, hyphens (-), full stops or underscores, starting with a letter or number',
    "clients.csv:9: given_name: 'ELM demo' born 1985-05-05 is the same person as IOM-0005 on row 8 (same "
    "name and date of birth): give all of one person's rows the same reference",
    "clients.csv:10: exit_reason: 'bored' is not an exit reason: use completed, desisted, moved_away, "
    'deselected, transferred, deceased or other',
    'clients.csv:11: joined_on: this period (from 2011-06-30, with no leaving date) overlaps the period '
    'on row 10 (2011-04-01 to 2011-06-30) for IOM-0007: periods on the scheme cannot overlap, and the '
    'leaving day counts as a day on the scheme',
    "clients.csv:12: date_of_birth: '2999-01-01' is not in the past: check the date of birth",
    'clients.csv:12: ward: is 121 characters long: it can be at most 100 characters',
    'clients.csv:13: pnc_id: 10/5000L is also the PNC ID of IOM-0008 on row 12: one person has one PNC '
    'ID, so two clients cannot share it',
    'clients.csv:14: pnc_id: 10/6000Y is already recorded for client SAVED-1 in the database: one person '
    'has one PNC ID, so check which client this is',
    "clients.csv:15: given_name: 'Juniper Twin' born 1970-07-07 is the same person as existing client "
    "SAVED-2 (same name and date of birth): take this person's rows out of clients.csv and use SAVED-2 "
    'in the other files. If they really are someone else, add them on the Add a client page, which asks '
    'you to confirm that',
    "clients.csv:16: reference: is empty: enter the client's reference",
    "clients.csv:16: family_name: is empty: enter the client's family name",
    'clients.csv:16: strand: is empty: enter the strand (prevent_deter, catch_convict or resettle_rehabilitate)',
    'clients.csv:16: joined_on: is empty: enter the date the client joined the scheme',
    'clients.csv:16: this row has a value in column M, past the last column named in the first row: move '
    'it into the right column or delete it',
    "custody.csv:2: status: 'jail' is not a custody status: use community, remand or custody",
    'custody.csv:4: from_date: IOM-0001 has another custody change on the same day on row 3: only one '
    'change a day can be recorded, so keep one of the rows',
    "custody.csv:5: reference: 'NOPE-1' is not a client in the database or in clients.csv of this "
    "import: check the reference, or add the client's rows to clients.csv",
    "custody.csv:6: from_date: SAVED-1 already has a custody change on '2011-05-01' in the database "
    '(custody): only one change a day can be recorded, so take this row out',
    'custody.csv:7: status: is empty: enter the status from that day (community, remand or custody)',
    "custody.csv:7: from_date: '2999-01-01' is in the future: the date of a custody change must be today or earlier",
    'referrals.csv:2: closed_on: is empty, but the referral is completed: enter the date it was completed',
    "referrals.csv:3: closed_on: '2011-07-01' is given, but the referral is still open: empty this cell, "
    'or change the status to completed, declined or withdrawn',
    "referrals.csv:4: closed_on: '2011-05-01' is before referred_on (2011-06-02): a referral cannot "
    'close before it was made',
    "referrals.csv:5: kind: 'legal' is not a kind of referral: use housing, mental_health or alcohol",
    "referrals.csv:5: status: 'opened' is not a referral status: use open, accepted, completed, declined "
    'or withdrawn',
    'referrals.csv:6: referred_on: is empty: enter the date the referral was made',
    'referrals.csv:6: agency: is 121 characters long: it can be at most 120 characters',
    "payments.csv:2: amount_gbp: '0' is not more than £0: a payment must be for more than nothing",
    "payments.csv:3: amount_gbp: 'abc' is not an amount of money: write pounds and pence, like 70 or 70.50",
    "payments.csv:4: amount_gbp: '1.234' has more than 2 numbers after the decimal point: give pounds "
    'and pence, like 70.50',
    "payments.csv:5: amount_gbp: '200000' is more than £100,000.00, the most the service accepts for a "
    'payment: check the amount',
    'payments.csv:6: amount_gbp: is empty: enter the amount paid, in pounds and pence',
    'payments.csv:6: purpose: is empty: enter what the payment was for',
    "payments.csv:7: purpose_category: 'snacks' is not a purpose category: use proof_of_qualifications, "
    'id_documents, travel_to_interview, work_clothing_tools or other',
    "payments.csv:9: amount_gbp: payments in 2012-13 come to £600.00, over that year's budget of £500.00 "
    'by £100.00; this is the payment that first goes over: take out or reduce payments, or raise the '
    'budget in budgets.csv',
    "payments.csv:10: amount_gbp: '-£5' is not more than £0: a payment must be for more than nothing",
    'sac.csv:1: comment: sac.csv has no column of this name: check the spelling, or delete the column '
    '(its columns are month, serious_acquisitive_crimes)',
    "sac.csv:2: month: '2011-13' is not a month: write it as YYYY-MM, for example 2011-10",
    "sac.csv:4: month: '2011-10' is also on row 3: a month has one count of serious acquisitive crimes, "
    'so keep one of the rows',
    "sac.csv:5: serious_acquisitive_crimes: '-3' is less than 0: the count must be 0 or more",
    "sac.csv:6: serious_acquisitive_crimes: '1.5' is not a whole number: write the count as a whole number, like 81",
    'sac.csv:7: serious_acquisitive_crimes: the database already records 50 serious acquisitive crimes '
    'for 2012-01: the import does not overwrite it, so change it in the service or take this row out',
    "sac.csv:8: month: '1899-12' is before 1900: check the year",
    'sac.csv:9: serious_acquisitive_crimes: is empty: enter the number of serious acquisitive crimes '
    'recorded that month',
    "budgets.csv:3: financial_year: '2012-13' is also on row 2: a year has one budget, so keep one of the rows",
    "budgets.csv:4: financial_year: '2011-2012' is not a financial year: write it as YYYY-YY, for "
    'example 2011-12 (for 2011 that is 2011-12)',
    "budgets.csv:5: amount_gbp: '-5' is less than £0: a budget must be £0 or more",
    'budgets.csv:6: amount_gbp: the budget for 2010-11 is already set to £900.00 in the database: the '
    'import does not overwrite it, so change it in the service or take this row out',
    "budgets.csv:7: amount_gbp: 2011-12's budget of £10.00 is less than the £50.00 already paid that "
    'year in the database: the budget must cover what has been paid',
    "budgets.csv:8: amount_gbp: '1.999' has more than 2 numbers after the decimal point: give pounds and "
    'pence, like 70.50',
]


def saved_records() -> None:
    """What the database already holds, so the checks against it speak too."""
    saved = Client(reference="SAVED-1", given_name="Saved", family_name="Client", pnc_id=pnc(10, 6000),
                   programme="other", alcohol_related="unknown")
    twin = Client(reference="SAVED-2", given_name="Juniper", family_name="Twin", date_of_birth=date(1970, 7, 7),
                  programme="other", alcohol_related="unknown")
    db.session.add_all([saved, twin])
    db.session.flush()
    db.session.add_all([
        SchemePeriod(client_id=saved.id, strand="catch_convict", joined_on=date(2011, 4, 1)),
        SchemePeriod(client_id=twin.id, strand="catch_convict", joined_on=date(2011, 4, 1)),
        CustodyEvent(client_id=saved.id, status="custody", from_date=date(2011, 5, 1)),
        SupportPayment(client_id=saved.id, amount_gbp=Decimal("50.00"), paid_on=date(2011, 6, 1),
                       financial_year="2011-12", purpose="other", detail="Saved", status="approved"),
        Budget(financial_year="2010-11", amount_gbp=Decimal("900.00")),
        SacCount(month=date(2012, 1, 1), crimes=50),
    ])
    db.session.commit()


def test_a_faulty_folder_gives_exactly_these_lines(app, refuses):
    with app.app_context():
        saved_records()
    assert refuses(FAULTY) == EXPECTED
