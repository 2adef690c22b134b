"""The caseload list and the client page run a fixed number of SQL statements, whatever the
size of the caseload or of one client's history (design habit 4)."""
from datetime import timedelta

from sqlalchemy import func, insert, select

from iom.auth.models import User
from iom.clients import operations
from iom.clients.models import CaseNote, Client, SchemePeriod
from iom.clock import today_in_london
from iom.custody.models import CustodyEvent
from iom.custody.operations import record_custody_event
from iom.extensions import db
from iom.offending.models import OFFENCE_TYPES, Offence
from iom.watch.models import WatchEntry

CEILING = 15
LIST_PAGES = [
    "/clients?officer=&scheme=all",
    "/clients?sort=custody&direction=desc&officer=&scheme=all",
    "/clients?sort=officer&officer=&scheme=on&strand=catch_convict",
    "/clients?q=given&custody=custody&officer=&scheme=all&sort=joined",
    "/clients?sort=risk&direction=desc&officer=&scheme=all&page=2",
    "/clients?sort=score&direction=desc&officer=&scheme=all",
    "/clients?sort=score&officer=&scheme=on&page=2",
]
WATCH_PAGES = ["/watch-list", "/watch-list?sort=score", "/watch-list?status=all&sort=score&page=2",
               "/watch-list?status=all"]
STRANDS = ["catch_convict", "resettle_rehabilitate", "prevent_deter"]
RISKS = ["low", "medium", "high", "very_high", None]


def add_audited_clients(app, count: int, officer_id: int) -> None:
    """A few clients through the operations the pages use, audit entries and all."""
    with app.app_context():
        today = today_in_london()
        officer = db.session.get(User, officer_id)
        for number in range(count):
            client = operations.add_client(
                {"given_name": f"Given{number}", "family_name": f"Audited{number:04d}", "programme": "ppo",
                 "alcohol_related": "no", "offender_manager_id": officer_id},
                strand=STRANDS[number % 2], joined_on=today - timedelta(days=100 + number))
            record_custody_event(client, status="custody", from_date=today - timedelta(days=20 + number),
                                 establishment="HMP Test", expected_release_on=today + timedelta(days=30),
                                 recorded_by=officer)
        db.session.commit()


def bulk_clients(app, first: int, count: int, officer_ids: list) -> list[int]:
    """Many clients straight into the tables (no audit), each with one or two periods and custody."""
    with app.app_context():
        today = today_in_london()
        rows = [{"reference": f"QC-{number:05d}", "given_name": f"Given{number}", "family_name": f"Bulk{number:05d}",
                 "programme": "dip", "alcohol_related": "unknown", "risk_level": RISKS[number % len(RISKS)],
                 "offender_manager_id": officer_ids[number % len(officer_ids)]}
                for number in range(first, first + count)]
        ids = db.session.scalars(insert(Client).returning(Client.id, sort_by_parameter_order=True), rows).all()
        periods, events = [], []
        for offset, client_id in enumerate(ids):
            strand = STRANDS[offset % 3]
            if offset % 2:
                periods.append({"client_id": client_id, "strand": strand, "joined_on": today - timedelta(days=400),
                                "left_on": today - timedelta(days=300), "exit_reason": "desisted"})
            if offset % 5:  # every fifth has left the scheme and is not back
                periods.append({"client_id": client_id, "strand": strand, "joined_on": today - timedelta(days=200)})
            else:
                periods.append({"client_id": client_id, "strand": strand, "joined_on": today - timedelta(days=250),
                                "left_on": today - timedelta(days=10), "exit_reason": "completed"})
            status = ["community", "remand", "custody"][offset % 3]
            events.append({"client_id": client_id, "status": status,
                           "from_date": today - timedelta(days=30 + offset % 20),
                           "establishment": None if status == "community" else "HMP Test",
                           "recorded_by_id": officer_ids[0]})
        db.session.execute(insert(SchemePeriod), periods)
        db.session.execute(insert(CustodyEvent), events)
        add_offences(Offence.client_id, ids)
        db.session.commit()
        return list(ids)


def add_offences(person, ids) -> None:
    """Up to three offences each (none for every fourth person), of every type, over the last 18 months."""
    types = list(OFFENCE_TYPES)
    today = today_in_london()
    rows = [{person.key: person_id, "offence_on": today - timedelta(days=(37 * (number + 1) + offset) % 540),
             "offence_type": types[(offset + number) % len(types)]}
            for offset, person_id in enumerate(ids) for number in range(offset % 4)]
    if rows:
        db.session.execute(insert(Offence), rows)


def give_long_history(app, client_id: int, officer_ids: list) -> None:
    """Five periods, thirty custody events, twenty case notes and forty offences, by several people."""
    with app.app_context():
        today = today_in_london()
        db.session.execute(SchemePeriod.__table__.delete().where(SchemePeriod.client_id == client_id))
        db.session.execute(CustodyEvent.__table__.delete().where(CustodyEvent.client_id == client_id))
        db.session.execute(insert(SchemePeriod), [
            {"client_id": client_id, "strand": STRANDS[number % 3],
             "joined_on": today - timedelta(days=1000 - 200 * number),
             "left_on": None if number == 4 else today - timedelta(days=900 - 200 * number),
             "exit_reason": None if number == 4 else "other"} for number in range(5)])
        db.session.execute(insert(CustodyEvent), [
            {"client_id": client_id, "status": ["remand", "custody", "community"][number % 3],
             "from_date": today - timedelta(days=30 * (30 - number)),
             "establishment": None if number % 3 == 2 else "HMP Test",
             "expected_release_on": today + timedelta(days=10) if number % 3 == 1 else None,
             "recorded_by_id": officer_ids[number % len(officer_ids)] if number % 4 else None}
            for number in range(30)])
        db.session.execute(insert(CaseNote), [
            {"client_id": client_id, "author_id": officer_ids[number % len(officer_ids)], "body": f"Note {number}"}
            for number in range(20)])
        types = list(OFFENCE_TYPES)
        db.session.execute(insert(Offence), [
            {"client_id": client_id, "offence_on": today - timedelta(days=23 * number + 1),
             "offence_type": types[number % len(types)], "alcohol_involved": "unknown",
             "recorded_by_id": officer_ids[number % len(officer_ids)] if number % 3 else None}
            for number in range(40)])
        db.session.commit()


def give_short_history(app, client_id: int, officer_id: int) -> None:
    """Exactly one period, one custody event, one case note and one offence."""
    with app.app_context():
        today = today_in_london()
        db.session.execute(SchemePeriod.__table__.delete().where(SchemePeriod.client_id == client_id))
        db.session.execute(CustodyEvent.__table__.delete().where(CustodyEvent.client_id == client_id))
        db.session.execute(insert(SchemePeriod), [{"client_id": client_id, "strand": "catch_convict",
                                                   "joined_on": today - timedelta(days=50)}])
        db.session.execute(insert(CustodyEvent), [{"client_id": client_id, "status": "custody",
                                                   "from_date": today - timedelta(days=5), "establishment": "HMP Test",
                                                   "recorded_by_id": officer_id}])
        db.session.execute(insert(CaseNote), [{"client_id": client_id, "author_id": officer_id, "body": "One note"}])
        db.session.execute(insert(Offence), [{"client_id": client_id, "offence_on": today - timedelta(days=60),
                                              "offence_type": "robbery", "alcohol_involved": "yes",
                                              "recorded_by_id": officer_id}])
        db.session.commit()


def measure(web, count_queries, url: str):
    """SQL statements for one GET, after a first GET has settled the session touch."""
    assert web.get(url).status_code == 200
    with count_queries() as counter:
        response = web.get(url)
    assert response.status_code == 200, url
    return counter.count, list(counter.statements), response


def explain(url: str, first, second) -> str:
    return (f"{url}: {first[0]} statements vs {second[0]}\n--- first\n" + "\n".join(first[1]) +
            "\n--- second\n" + "\n".join(second[1]))


def test_list_and_client_pages_run_a_fixed_number_of_statements(signed_in, make_user, app, count_queries):
    web, manager_id = signed_in("manager")
    officer_ids = [make_user("officer")[0], make_user("officer")[0], manager_id, None]
    add_audited_clients(app, 3, officer_ids[0])
    small_id, big_id, *_ = bulk_clients(app, 0, 7, officer_ids)
    give_short_history(app, small_id, officer_ids[0])
    give_long_history(app, big_id, officer_ids[:3])
    with app.app_context():
        small, big = (db.session.get(Client, client_id).reference for client_id in (small_id, big_id))
    parts = ("", "/custody", "/offending", "/referrals", "/payments", "/notes", "/history")
    client_pages = [f"/clients/{reference}{part}" for part in parts for reference in (small, big)]

    at_10 = {url: measure(web, count_queries, url) for url in LIST_PAGES + client_pages}
    assert at_10["/clients?officer=&scheme=all"][2].text.count('class="govuk-table__row"') == 1 + 10

    bulk_clients(app, 100, 500, officer_ids)
    at_510 = {url: measure(web, count_queries, url) for url in LIST_PAGES + client_pages}
    assert at_510["/clients?officer=&scheme=all"][2].text.count('class="govuk-table__row"') == 1 + 50

    custody_page, notes_page = at_510[f"/clients/{big}/custody"][2].text, at_510[f"/clients/{big}/notes"][2].text
    assert custody_page.count('class="moj-timeline__item"') == 30
    assert notes_page.count('class="moj-timeline__item"') == 20 and notes_page.count("iom-note__body") == 20
    big_page = at_510[f"/clients/{big}/offending"][2].text
    with app.app_context():  # the long history's forty, and whatever the bulk caseload gave them
        offences = db.session.scalar(select(func.count()).select_from(Offence).where(Offence.client_id == big_id))
    assert offences >= 40
    assert big_page.count('/remove">Remove') == offences  # each offence listed, with its links
    assert big_page.count("<title>Offence: ") == offences  # each marked on the timeline

    counts = {url: (at_10[url][0], at_510[url][0]) for url in at_10}
    print("\nSQL statements per page (10 clients, 510 clients):")
    for url, pair in counts.items():
        print(f"  {pair[0]:3} {pair[1]:3}  {url}")
    for url in at_10:
        assert at_10[url][0] == at_510[url][0], explain(url, at_10[url], at_510[url])
        assert at_510[url][0] <= CEILING, explain(url, at_10[url], at_510[url])
    for measured in (at_10, at_510):
        for small_page, big_page in zip(client_pages[::2], client_pages[1::2]):
            assert measured[small_page][0] == measured[big_page][0], \
                explain(f"small vs big client page ({small_page})", measured[small_page], measured[big_page])


def bulk_watch_entries(app, first: int, count: int) -> None:
    """Open and closed watch-list entries straight into the table, with offences."""
    with app.app_context():
        today = today_in_london()
        rows = [{"given_name": f"Watched{number}", "family_name": f"Entry{number:05d}", "partner_agency": "YOS",
                 "reason": "Concern", "added_on": today - timedelta(days=60),
                 "next_review_on": today + timedelta(days=number % 30 - 10),
                 "outcome": "moved_away" if number % 6 == 0 else None,
                 "closed_on": today - timedelta(days=5) if number % 6 == 0 else None}
                for number in range(first, first + count)]
        ids = db.session.scalars(insert(WatchEntry).returning(WatchEntry.id, sort_by_parameter_order=True), rows).all()
        add_offences(Offence.watch_entry_id, ids)
        db.session.commit()


def test_the_watch_list_with_its_scores_runs_a_fixed_number_of_statements(signed_in, app, count_queries):
    web, _ = signed_in("officer")
    bulk_watch_entries(app, 0, 10)
    at_10 = {url: measure(web, count_queries, url) for url in WATCH_PAGES}
    bulk_watch_entries(app, 10, 500)
    at_510 = {url: measure(web, count_queries, url) for url in WATCH_PAGES}
    assert "Consider for adoption" in at_510["/watch-list?sort=score"][2].text
    for url in WATCH_PAGES:
        assert at_10[url][0] == at_510[url][0], explain(url, at_10[url], at_510[url])
        assert at_510[url][0] <= CEILING, explain(url, at_10[url], at_510[url])
