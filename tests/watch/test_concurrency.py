"""Two people saving one watch list entry at the same moment: one save wins, the other gets the
stale-save page (409, what is saved now beside their entry, input kept), never a 500. Threads
with their own app contexts (and so their own connections) stand in for two gunicorn workers;
run on SQLite and, with TEST_DATABASE_URL, on PostgreSQL."""
import threading
from datetime import timedelta

import pytest

from iom.watch import operations
from tests.builders import TODAY, entry_actions, entry_form, entry_state, make_entry
from tests.pages import Page, post_form, sign_in, text_of

# under xdist (make test) these run one after another in one worker: their threads race each other only
pytestmark = pytest.mark.xdist_group("concurrency")


def test_two_officers_saving_one_entry_at_once_one_wins_the_other_sees_the_stale_save_page(
        app, make_user, monkeypatch):
    entry_id = make_entry(app, reason="Escalating burglary")
    browsers = []
    for _ in range(2):
        browser = app.test_client()
        assert sign_in(browser, app, make_user("officer")[1]).status_code == 302
        browsers.append(browser)

    # Both saves pass the version check (both opened version 1) before either writes: the race
    # is made to happen, not hoped for. The loser's UPDATE then matches no row.
    real_check = operations._check_details
    barrier = threading.Barrier(2, timeout=30)

    def check_then_wait(details, entry_id=None):
        real_check(details, entry_id)
        barrier.wait()
    monkeypatch.setattr(operations, "_check_details", check_then_wait)

    responses = {}

    def save(browser, reason):
        data = entry_form(reason=reason, added_on=TODAY - timedelta(days=30), version="1")
        responses[reason] = post_form(browser, app, f"/watch-list/{entry_id}/edit", data)

    threads = [threading.Thread(target=save, args=(browser, reason))
               for browser, reason in zip(browsers, ("Linked to county lines", "Now also shoplifting"))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    monkeypatch.setattr(operations, "_check_details", real_check)

    statuses = sorted(response.status_code for response in responses.values())
    assert statuses == [302, 409], {reason: r.status_code for reason, r in responses.items()}
    winner = next(reason for reason, response in responses.items() if response.status_code == 302)
    loser = next(reason for reason, response in responses.items() if response.status_code == 409)

    state = entry_state(app, entry_id)
    assert state["reason"] == winner and state["version"] == 2
    assert entry_actions(app, entry_id).count("watch_entry.updated") == 1

    lost = responses[loser]
    body = text_of(lost)
    assert "changed by someone else at the same moment" in body
    page = Page(lost)
    assert [winner, loser] in page.rows  # what is saved now, beside their entry
    assert page.textareas["reason"] == loser  # their input, kept
    assert page.values["version"] == ["2"]  # saving again is a deliberate save over the winner's
