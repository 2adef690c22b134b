"""The housing specialist's pages: /housing, the open housing referrals with their age and
overdue next actions; and /housing/releases, everyone in custody or on remand expected out in
the next 28 days, or whose release date has passed with no release recorded (those first), with
their housing referral and Duty to Refer, those with neither next.
Both audited, both a fixed number of SQL statements whatever their length."""
import re
from datetime import timedelta
from html import unescape

import pytest
from sqlalchemy import insert, select

from iom.audit.models import AuditEntry
from iom.custody.models import CustodyEvent
from iom.extensions import db
from tests.builders import TODAY, client_named


def text_of(response) -> str:
    """The page's words: tags dropped, entities decoded, whitespace collapsed."""
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", response.get_data(as_text=True))).split())


@pytest.fixture
def housing(signed_in):
    return signed_in("housing")[0]


def names_in_order(response, names) -> list[str]:
    body = text_of(response)
    found = [(body.index(name), name) for name in names if name in body]
    return [name for _, name in sorted(found)]


def last_audit(app) -> AuditEntry:
    with app.app_context():
        return db.session.scalar(select(AuditEntry).order_by(AuditEntry.seq.desc()).limit(1))


# --- the queue --------------------------------------------------------------------------------

def test_the_queue_lists_open_housing_referrals_overdue_first_with_their_age(app, housing, make_client,
                                                                          make_referral):
    make_referral(make_client("Due", "Later"), referred_on=TODAY - timedelta(days=40),
                  next_action="Chase", next_action_due_on=TODAY + timedelta(days=5))
    make_referral(make_client("Over", "Due"), referred_on=TODAY - timedelta(days=3),
                  next_action="Ring the council", next_action_due_on=TODAY - timedelta(days=1))
    make_referral(make_client("Long", "Overdue"), referred_on=TODAY - timedelta(days=20), status="accepted",
                  next_action="Book viewing", next_action_due_on=TODAY - timedelta(days=9))
    make_referral(make_client("Due", "Today"), referred_on=TODAY - timedelta(days=1),
                  next_action="Send form", next_action_due_on=TODAY)
    make_referral(make_client("No", "Action"), referred_on=TODAY)
    make_referral(make_client("Was", "Closed"), status="completed", closed_on=TODAY, outcome="supported_housing")
    make_referral(make_client("Mind", "Only"), "mental_health")

    response = housing.get("/housing")

    assert response.status_code == 200
    assert names_in_order(response, ["Overdue, Long", "Due, Over", "Today, Due", "Later, Due", "Action, No"]) == \
        ["Overdue, Long", "Due, Over", "Today, Due", "Later, Due", "Action, No"]
    body = text_of(response)
    assert "Closed, Was" not in body and "Only, Mind" not in body
    assert "5 open referrals, 2 with overdue next actions" in body
    long_row = body[body.index("Overdue, Long"):body.index("Due, Over")]
    assert "20 days" in long_row and "Accepted" in long_row and "Overdue" in long_row
    today_row = body[body.index("Today, Due"):body.index("Later, Due")]
    assert "1 day " in today_row and "Due today" in today_row
    assert "0 days" in body[body.index("Action, No"):]
    entry = last_audit(app)
    assert entry.action == "referrals.queue_listed" and entry.changes == {"shown": [None, 5]}


def test_a_closed_referral_leaves_the_queue(app, housing, make_client, make_referral):
    referral_id = make_referral(make_client("Soon", "Housed"))
    assert "Housed, Soon" in text_of(housing.get("/housing"))
    with app.app_context():
        from iom.clients.models import Client
        from iom.referrals import operations
        from iom.referrals.models import Referral
        referral = db.session.get(Referral, referral_id)
        operations.update_referral(referral, db.session.get(Client, referral.client_id),
                                   {**operations.referral_snapshot(referral), "status": "completed",
                                    "closed_on": TODAY, "outcome": "settled_accommodation"}, version=1)
        db.session.commit()
    body = text_of(housing.get("/housing"))
    assert "Housed, Soon" not in body and "No open housing referrals" in body


# --- the release worklist ---------------------------------------------------------------------

def test_the_worklist_takes_today_to_today_plus_28_from_the_custody_status_today(app, housing, make_client,
                                                                                put_in_custody):
    put_in_custody(make_client("Edge", "In"), release_in_days=28)
    put_in_custody(make_client("Edge", "Out"), release_in_days=29)
    put_in_custody(make_client("Yesterday", "Due"), release_in_days=-1, status="remand")
    put_in_custody(make_client("Today", "Due"), release_in_days=0, status="remand")
    released = make_client("Already", "Released")
    put_in_custody(released, release_in_days=5, days_ago=60)
    put_in_custody(released, release_in_days=None, status="community", days_ago=10)
    make_client("Never", "Inside")
    planned = make_client("Future", "Community")
    put_in_custody(planned, release_in_days=10)
    with app.app_context():  # an event dated tomorrow does not change today's status
        db.session.execute(insert(CustodyEvent), [{"client_id": client_named(planned).id, "status": "community",
                                                   "from_date": TODAY + timedelta(days=1)}])
        db.session.commit()

    response = housing.get("/housing/releases")

    assert response.status_code == 200
    body = text_of(response)
    for shown in ("In, Edge", "Due, Today", "Community, Future", "Due, Yesterday"):
        assert shown in body, shown
    for hidden in ("Out, Edge", "Released, Already", "Inside, Never"):
        assert hidden not in body, hidden
    assert ("4 due for release, 1 with the release date passed and not recorded, "
            "4 with no housing referral or Duty to Refer") in body
    assert "in 28 days" in body and "today" in body[body.index("Due, Today"):]
    assert "Release date passed 1 day ago, not recorded" in body[body.index("Due, Yesterday"):]
    entry = last_audit(app)
    assert entry.action == "referrals.releases_listed" and entry.changes == {"shown": [None, 4]}


def test_a_release_date_passed_with_no_release_recorded_stays_at_the_top_until_custody_changes(
        app, housing, make_client, make_referral, put_in_custody):
    long_ago = make_client("Long", "Ago")
    put_in_custody(long_ago, release_in_days=-40, days_ago=400)
    make_referral(long_ago, agency_other="Shelter", duty_to_refer_made=True, duty_to_refer_on=TODAY,
                  duty_to_refer_local_authority="Leeds", duty_to_refer_outcome="pending")  # has both: still first
    three_days = make_client("Three", "Days")
    put_in_custody(three_days, release_in_days=-3, status="remand")
    put_in_custody(make_client("Neither", "Soon"), release_in_days=2)

    response = housing.get("/housing/releases")

    order = ["Ago, Long", "Days, Three", "Soon, Neither"]
    assert names_in_order(response, order) == order
    body = text_of(response)
    assert "Release date passed 40 days ago, not recorded" in body[:body.index("Days, Three")]
    assert "Release date passed 3 days ago, not recorded" in body[body.index("Days, Three"):body.index("Soon, Neither")]
    assert body.count("Release not recorded") == 2
    assert "3 due for release, 2 with the release date passed and not recorded" in body

    # a new expected date moves them back among the rest; a release recorded ends it
    put_in_custody(three_days, release_in_days=10, status="remand", days_ago=1)
    put_in_custody(long_ago, release_in_days=None, status="community", days_ago=0)
    body = text_of(housing.get("/housing/releases"))
    assert "Ago, Long" not in body and "Release date passed" not in body
    assert names_in_order(housing.get("/housing/releases"), ["Days, Three", "Soon, Neither"]) == \
        ["Soon, Neither", "Days, Three"]
    assert "in 10 days" in body[body.index("Days, Three"):]
    assert "2 due for release, 2 with no housing referral or Duty to Refer" in body


def test_those_with_neither_a_referral_nor_a_duty_to_refer_come_first(app, housing, make_client, put_in_custody,
                                                                    make_referral):
    neither_late = make_client("Neither", "Late")
    put_in_custody(neither_late, release_in_days=20)
    neither_soon = make_client("Neither", "Soon")
    put_in_custody(neither_soon, release_in_days=3)
    mind_only = make_client("Mind", "Only")  # a mental-health referral is not a housing referral
    put_in_custody(mind_only, release_in_days=4)
    make_referral(mind_only, "mental_health", agency_other="Secret Clinic")
    old_duty = make_client("Old", "Duty")  # a Duty to Refer from before their last spell in the community
    put_in_custody(old_duty, release_in_days=None, days_ago=200)
    make_referral(old_duty, referred_on=TODAY - timedelta(days=150), status="completed",
                  closed_on=TODAY - timedelta(days=120), outcome="temporary_accommodation", duty_to_refer_made=True,
                  duty_to_refer_on=TODAY - timedelta(days=150), duty_to_refer_local_authority="Old Council",
                  duty_to_refer_outcome="relief_duty")
    put_in_custody(old_duty, release_in_days=None, status="community", days_ago=100)
    put_in_custody(old_duty, release_in_days=10, days_ago=30)
    referral_only = make_client("Referral", "Only")
    put_in_custody(referral_only, release_in_days=1)
    make_referral(referral_only, agency_other="Shelter", duty_to_refer_made=False)
    duty_only = make_client("Duty", "Only")  # made on a referral since closed, during this spell inside
    put_in_custody(duty_only, release_in_days=2)
    make_referral(duty_only, referred_on=TODAY - timedelta(days=20), status="declined",
                  closed_on=TODAY - timedelta(days=10), outcome="no_change", duty_to_refer_made=True,
                  duty_to_refer_on=TODAY - timedelta(days=20), duty_to_refer_local_authority="Leeds City Council",
                  duty_to_refer_outcome="prevention_duty")
    both = make_client("Has", "Both")
    put_in_custody(both, release_in_days=0)
    make_referral(both, agency_other="St Anne's", duty_to_refer_made=True, duty_to_refer_on=TODAY,
                  duty_to_refer_local_authority="Bradford Council", duty_to_refer_outcome="pending")

    response = housing.get("/housing/releases")

    order = ["Soon, Neither", "Only, Mind", "Duty, Old", "Late, Neither", "Only, Referral", "Only, Duty", "Both, Has"]
    assert names_in_order(response, order) == order
    body = text_of(response)
    assert "4 due for release" not in body and "7 due for release, 4 with no housing referral or Duty to Refer" in body
    assert body.count("No referral or Duty to Refer") == 4
    assert "Secret Clinic" not in body and "Old Council" not in body
    duty_row = body[body.index("Only, Duty"):body.index("Both, Has")]
    assert "Made" in duty_row and "Leeds City Council: Prevention duty owed" in duty_row and "None open" in duty_row
    referral_row = body[body.index("Only, Referral"):body.index("Only, Duty")]
    assert "Shelter" in referral_row and "Not made" in referral_row
    both_row = body[body.index("Both, Has"):]
    assert "St Anne's" in both_row and "Bradford Council: Waiting for a decision" in both_row


# --- fixed number of statements ---------------------------------------------------------------

def _fill(make_client, make_referral, put_in_custody, count: int, start: int) -> None:
    """Clients due for release, some with open housing referrals (some overdue), some with a Duty to Refer."""
    for number in range(start, start + count):
        reference = make_client(f"Given{number}", f"Counted{number:03d}")
        put_in_custody(reference, release_in_days=number % 28 - (7 if number % 4 == 0 else 0),
                       status=("custody", "remand")[number % 2])
        if number % 3:
            make_referral(reference, referred_on=TODAY - timedelta(days=2 + number % 9),
                          agency_other=f"Agency {number}", next_action="Chase",
                          next_action_due_on=TODAY + timedelta(days=number % 5 - 2),
                          **({"duty_to_refer_made": True, "duty_to_refer_on": TODAY,
                              "duty_to_refer_local_authority": "Leeds", "duty_to_refer_outcome": "pending"}
                             if number % 3 == 2 else {}))


@pytest.mark.parametrize("path, rows_at", [("/housing", (2, 26)), ("/housing/releases", (4, 40))])
def test_the_pages_run_the_same_number_of_statements_for_few_and_many_rows(app, housing, make_client, make_referral,
                                                                          put_in_custody, count_queries, path,
                                                                          rows_at):
    _fill(make_client, make_referral, put_in_custody, 4, 0)
    housing.get(path)  # warm-up: first-request work is not per row
    with count_queries() as few:
        small = housing.get(path)
    _fill(make_client, make_referral, put_in_custody, 36, 4)
    with count_queries() as many:
        large = housing.get(path)
    assert small.status_code == large.status_code == 200
    rows = [response.get_data(as_text=True).count('<tr class="govuk-table__row">') - 1 for response in (small, large)]
    assert rows == list(rows_at)
    assert many.count == few.count, "\n".join(many.statements)
    assert many.count <= 12, "\n".join(many.statements)
