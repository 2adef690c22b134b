"""The adoption score on the caseload and the watch list: a Score column, sortable highest first,
"Consider for adoption" in words beside a watch-list person at or above the threshold, and never a
score for a role that may not see offences."""
import re

from iom.extensions import db
from iom.offending.score_operations import set_scoring
from iom.offending.scores import current_scoring
from tests.builders import client, days_ago, scored_offence, watch
from tests.pages import Page, text_of


def scored_caseload(app) -> None:
    """Four clients on the scheme: scores 72 (Bell), 34 (Ash), 0 (Cole, offences long ago), none (Dunn)."""
    with app.app_context():
        joined = [("catch_convict", days_ago(900), None)]
        ash, bell, cole = (client(ref, joined, family=family) for ref, family in
                           (("R-1", "Ash"), ("R-2", "Bell"), ("R-3", "Cole")))
        client("R-4", joined, family="Dunn")
        scored_offence(days_ago(100), "shoplifting", person=ash)                 # 20 + 8 + 6
        scored_offence(days_ago(150), "shoplifting", person=ash)
        for days in (3, 40, 60):
            scored_offence(days_ago(days), "robbery", person=bell)               # 30 + 12 + 30
        scored_offence(days_ago(700), "robbery", person=cole)                    # 0
        db.session.commit()


def names_in_order(response) -> list[str]:
    return [row[0].split(",")[0] for row in Page(response).rows if row and "," in row[0]]


def test_the_caseload_shows_scores_and_sorts_highest_first(app, signed_in):
    scored_caseload(app)
    manager, _ = signed_in("manager")

    listed = manager.get("/clients?officer=&scheme=all")
    rows = {row[0].split(",")[0]: row[-1] for row in Page(listed).rows}
    assert rows == {"Ash": "34", "Bell": "72", "Cole": "0", "Dunn": "No offences recorded"}
    body = listed.get_data(as_text=True)
    # a first click on Score sorts highest first
    assert "sort=score&amp;direction=desc" in body
    assert "How adoption scores are worked out" in text_of(listed)

    highest = manager.get("/clients?officer=&scheme=all&sort=score&direction=desc")
    assert names_in_order(highest) == ["Bell", "Ash", "Cole", "Dunn"]
    assert 'aria-sort="descending"' in highest.get_data(as_text=True)
    lowest = manager.get("/clients?officer=&scheme=all&sort=score&direction=asc")
    assert names_in_order(lowest) == ["Dunn", "Cole", "Ash", "Bell"]


def test_the_housing_specialist_sees_no_scores(app, signed_in):
    scored_caseload(app)
    housing, _ = signed_in("housing")
    response = housing.get("/clients?officer=&scheme=all&sort=score&direction=desc")
    assert response.status_code == 200
    assert names_in_order(response) == ["Ash", "Bell", "Cole", "Dunn"]  # by name instead
    body = response.get_data(as_text=True)
    assert "sort=score" not in body and "adoption score" not in body.lower() and ">72<" not in body


def scored_watch_list(app) -> dict:
    with app.app_context():
        entries = {name: watch(days_ago(30), family=name) for name in ("Amos", "Birch", "Crane", "Drew")}
        entries["Amos"].next_review_on = days_ago(1)             # review overdue, low score
        scored_offence(days_ago(200), "breach", entry=entries["Amos"])    # 10 + 4 + 3 = 17
        for days in (3, 40, 60):
            scored_offence(days_ago(days), "robbery", entry=entries["Crane"])  # 72
        for days in range(5):
            scored_offence(days_ago(20 + days), "non_domestic_burglary", entry=entries["Birch"])  # 65 exactly
        closed = watch(days_ago(90), days_ago(10), "moved_away", family="Ellis")
        for days in (3, 40, 60):
            scored_offence(days_ago(days), "robbery", entry=closed)      # closed: scored, but not flagged
        db.session.commit()
        return {name: entry.id for name, entry in entries.items()}


def consider_flags(response) -> list[str]:
    """The names of the rows carrying the tag, in order."""
    body = response.get_data(as_text=True)
    return re.findall(r'>([A-Z][a-z]+), Watched</a>(?:(?!</tr>).)*Consider for adoption', body, re.S)


def test_the_watch_list_flags_those_at_or_above_the_threshold(app, signed_in):
    scored_watch_list(app)
    officer, _ = signed_in("officer")
    response = officer.get("/watch-list?status=all")
    assert consider_flags(response) == ["Birch", "Crane"]
    assert '<strong class="govuk-tag govuk-tag--purple iom-consider">Consider for adoption</strong>' in \
        response.get_data(as_text=True)
    assert "At 65 or more it says Consider for adoption" in text_of(response)
    # the closed entry's row has no flag: only open entries are considered
    closed_row = next(row for row in Page(response).rows if row[0].startswith("Ellis"))
    assert "Consider" not in " ".join(closed_row)


def test_the_watch_list_sorts_open_entries_by_score_highest_first(app, signed_in):
    scored_watch_list(app)
    officer, _ = signed_in("officer")
    by_review = officer.get("/watch-list")
    assert names_in_order(by_review) == ["Amos", "Birch", "Crane", "Drew"]  # review due first, then by name
    by_score = officer.get("/watch-list?status=all&sort=score")
    assert names_in_order(by_score) == ["Crane", "Birch", "Amos", "Drew", "Ellis"]
    assert "Open entries, highest adoption score first" in text_of(by_score)
    assert Page(by_score).selected["sort"] == "score"


def test_a_lower_threshold_flags_more_people_at_once(app, signed_in):
    ids = scored_watch_list(app)
    with app.app_context():
        set_scoring(current_scoring().values() | {"threshold": 15}, version="0")
        db.session.commit()
    officer, _ = signed_in("officer")
    assert consider_flags(officer.get("/watch-list")) == ["Amos", "Birch", "Crane"]
    assert "Consider for adoption" in text_of(officer.get(f"/watch-list/{ids['Amos']}"))
