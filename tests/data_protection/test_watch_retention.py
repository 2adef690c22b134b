"""The retention rule for people partners watched who were never adopted onto the scheme: a watch list entry
closed more than the retention years ago is listed for review (a fixed number of queries), and disposing of
it erases the person's details, keeps the entry's dates, agency and outcome, and is audited; refusals say
why and change nothing. An adopted person's entries go with their client's disposal."""
import json

from sqlalchemy import select

from iom import audit
from iom.data_protection import retention
from iom.extensions import db
from iom.offending.models import Offence
from iom.watch.models import WatchEntry
from tests.builders import audit_entries, client, database_url, every_row, offence, old_caseload, state_of, watch, years_ago
from tests.pages import post_form, text_of


def watched(app) -> dict[str, int]:
    """Entries of four kinds, returning their ids: closed eight years ago and never adopted ('old', with an
    offence and its crime reference), closed three years ago ('recent'), still open ('open'), and closed ten
    years ago when its person was adopted ('adopted')."""
    with app.app_context():
        old = watch(years_ago(9), years_ago(8), "no_further_action", given="Walter", family="Oldwatch",
                    born=years_ago(40), pnc="12/345678X")
        old.outcome_notes = "Moved in with his brother on Elm Street"
        offence(None, years_ago(9, 6, 1), "criminal_damage", watched=old, crime_reference="WY/77/17")
        recent = watch(years_ago(4), years_ago(3), "moved_away", given="Rhona", family="Recentwatch")
        still = watch(years_ago(9), None, None, given="Olive", family="Openwatch")
        person = client("ADOPT-1", [("catch_convict", years_ago(10, 5, 1), None)], given="Adam", family="Adopted")
        adopted = watch(years_ago(11), years_ago(10), "adopted", given="Adam", family="Adopted", person=person)
        db.session.commit()
        return {"old": old.id, "recent": recent.id, "open": still.id, "adopted": adopted.id}


def test_the_list_shows_the_entries_due_and_runs_the_same_queries_however_long(app, signed_in, count_queries):
    ids = watched(app)
    web, _ = signed_in("manager")
    page = text_of(web.get("/data-protection/retention"))
    assert "Oldwatch" in page and "1 watch list entry due for review" in page
    assert not any(name in page for name in ("Recentwatch", "Openwatch", "Adopted"))
    assert audit_entries(app, "retention.listed")[-1].changes["watch_entries"] == [None, 1]
    with app.app_context():
        assert [entry.id for entry in retention.watch_entries_due()] == [ids["old"]]

    with count_queries() as short:
        web.get("/data-protection/retention")
    with app.app_context():
        for number in range(30):
            watch(years_ago(12), years_ago(11), "other", given="Many", family=f"Watched{number:02d}")
        db.session.commit()
    with count_queries() as long:
        response = web.get("/data-protection/retention")
    assert "31 watch list entries due for review" in text_of(response)
    assert long.count == short.count


def test_disposing_of_an_entry_through_the_page(app, signed_in):
    ids = watched(app)
    web, _ = signed_in("manager")
    url = f"/data-protection/retention/watch/{ids['old']}"
    page = web.get(url)
    assert page.status_code == 200 and "Erase their personal data" in page.text and "Walter Oldwatch" in page.text
    before = state_of(app, WatchEntry, ids["old"])

    response = post_form(web, app, url, {"reason": "Closed in the year before last; nothing open",
                                         "version": before["version"]})

    assert response.status_code == 302 and response.headers["Location"].endswith("/data-protection/retention")
    after = state_of(app, WatchEntry, ids["old"])
    assert (after["given_name"], after["family_name"], after["date_of_birth"], after["pnc_id"]) == \
        ("Disposed", "record", None, None)
    assert after["reason"] == retention.ERASED and after["outcome_notes"] is None and after["disposed_at"]
    # the figures' inputs kept
    assert {key: after[key] for key in ("added_on", "closed_on", "outcome", "partner_agency")} == \
        {key: before[key] for key in ("added_on", "closed_on", "outcome", "partner_agency")}
    with app.app_context():
        crime = db.session.execute(select(Offence.crime_reference, Offence.offence_type)
                                   .where(Offence.watch_entry_id == ids["old"])).one()
        assert tuple(crime) == (None, "criminal_damage")
        assert audit.verify_chain().is_intact
    entry = audit_entries(app, "watch_entry.disposed")[-1]
    assert entry.subject_type == "watch_entry" and entry.subject_id == str(ids["old"])
    assert entry.changes["disposal_reason"] == [None, "Closed in the year before last; nothing open"]
    assert entry.changes["erased"] == [None, {"watch_entry": 1, "offence": 1}]
    assert "Oldwatch" not in str(entry.changes) and "Oldwatch" not in entry.summary
    assert "No watch list entry is due" in text_of(web.get("/data-protection/retention"))


def test_bad_disposals_of_an_entry_say_why_and_change_nothing(app, signed_in):
    ids = watched(app)
    web, _ = signed_in("manager")
    version = state_of(app, WatchEntry, ids["old"])["version"]
    before = every_row(database_url(app))
    for entry_id, form, status, words in (
            (ids["old"], {"reason": "", "version": version}, 400, "Enter why this record is being disposed of"),
            (ids["old"], {"reason": "Gone", "version": version - 1}, 409, "changed by someone else"),
            (ids["recent"], {"reason": "Gone", "version": 1}, 400, "is not due for review"),
            (ids["open"], {"reason": "Gone", "version": 1}, 400, "is not due for review"),
            (ids["adopted"], {"reason": "Gone", "version": 1}, 400, "disposed of with the client's record"),
            (999999, {"reason": "Gone", "version": 1}, 404, "")):
        response = post_form(web, app, f"/data-protection/retention/watch/{entry_id}", form)
        assert response.status_code == status, (entry_id, form, response.text[:300])
        assert words in text_of(response)
    after = every_row(database_url(app))
    assert {name: rows for name, rows in after.items() if not name.startswith(("audit", "user_session"))} == \
        {name: rows for name, rows in before.items() if not name.startswith(("audit", "user_session"))}


def test_the_command_line_lists_the_entries_due_by_number_only(app, runner):
    ids = watched(app)
    listed = json.loads(runner.invoke(args=["retention-review", "--json"]).output)
    assert listed["watch_entries_due"] == [{"entry": ids["old"], "closed_on": years_ago(8).isoformat(),
                                            "outcome": "no_further_action"}]
    output = runner.invoke(args=["retention-review"]).output
    assert f"watch list entry {ids['old']}" in output and "Oldwatch" not in output


def test_a_clients_disposal_marks_the_entries_they_came_from_disposed(app):
    people = old_caseload(app)
    with app.app_context():
        from iom.clients.models import Client
        gone = db.session.scalar(select(Client).where(Client.reference == people["gone"]))
        retention.dispose(gone, reason="Left long ago", version=gone.version)
        db.session.commit()
        entries = list(db.session.scalars(select(WatchEntry).where(WatchEntry.client_id == gone.id)))
        assert entries and all(entry.disposed_at is not None for entry in entries)


def test_a_watch_list_only_persons_subject_access_export_as_json_and_a_tagged_pdf(app, signed_in):
    import io

    from pypdf import PdfReader
    ids = watched(app)
    web, _ = signed_in("manager")
    entry_page = web.get(f"/watch-list/{ids['old']}").get_data(as_text=True)
    assert f'href="/data-protection/subject-access/watch/{ids["old"]}">Subject access export' in entry_page
    assert "Subject access export" not in web.get(f"/watch-list/{ids['adopted']}").get_data(as_text=True)
    assert web.get(f"/data-protection/subject-access/watch/{ids['old']}").status_code == 200

    response = post_form(web, app, f"/data-protection/subject-access/watch/{ids['old']}/json")
    assert response.status_code == 200 and response.mimetype == "application/json"
    assert f"subject-access-WATCH-{ids['old']}-" in response.headers["Content-Disposition"]
    record = json.loads(response.data)
    assert record["kind"] == "subject access export (watch list only)"
    assert record["identity"] == {"given_name": "Walter", "family_name": "Oldwatch",
                                  "date_of_birth": years_ago(40).isoformat(), "pnc_id": "12/345678X",
                                  "reference": f"WATCH-{ids['old']}"}
    assert record["watch_list"][0]["outcome_notes"] == "Moved in with his brother on Elm Street"
    assert [o["crime_reference"] for o in record["offences"]] == ["WY/77/17"]
    assert record["scheme_periods"] == [] and record["case_notes"] == []
    assert any(entry["what"].startswith("Viewed") for entry in record["audit_entries"])

    pdf = post_form(web, app, f"/data-protection/subject-access/watch/{ids['old']}/pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    reader = PdfReader(io.BytesIO(pdf.data))
    assert "/StructTreeRoot" in reader.trailer["/Root"]
    text = "".join(page.extract_text() for page in reader.pages)
    assert "Walter" in text and "never adopted" in text and "Programme" not in text
    exported = [entry.changes["format"][1] for entry in audit_entries(app, "watch_entry.subject_access_exported")]
    assert exported == ["json", "pdf"]

    # an adopted person's entries are in their client's export
    adopted = post_form(web, app, f"/data-protection/subject-access/watch/{ids['adopted']}/json")
    assert adopted.status_code == 302 and "/data-protection/subject-access/ADOPT-1" in adopted.headers["Location"]
