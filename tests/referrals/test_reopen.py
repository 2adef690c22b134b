"""A completed, declined or withdrawn referral is final: officers and housing see it is closed and
are offered nothing to change; only a manager reopens it, saying why (audited, and in its status
history). A reopen without a reason is a GOV.UK error that changes nothing."""
import pytest

from iom.clock import uk_date
from tests.pages import Page, assert_field_error, form_from_page, post_form, sign_in, text_of
from tests.builders import TODAY, actions, referral_state

CLOSED = {"status": "declined", "closed_on": TODAY, "outcome": "no_change"}


@pytest.fixture
def browser_as(app, make_user):
    def sign_in_as(role):
        browser = app.test_client()
        assert sign_in(browser, app, make_user(role)[1]).status_code == 302
        return browser
    return sign_in_as


@pytest.mark.parametrize("role", ["officer", "housing"])
def test_a_closed_referral_offers_officers_and_housing_nothing_to_change(app, browser_as, make_client,
                                                                        make_referral, role):
    browser = browser_as(role)
    referral_id = make_referral(make_client(), **CLOSED)
    before = referral_state(app, referral_id)

    page = browser.get(f"/referrals/{referral_id}")
    body = text_of(page)
    assert f"This referral is closed: it was declined on {uk_date(TODAY)}." in body
    assert "ask a manager to reopen it" in body
    html = page.get_data(as_text=True)
    assert f"/referrals/{referral_id}/edit" not in html and "Change or close the referral" not in body
    assert f"/referrals/{referral_id}/reopen" not in html

    # the change form is not offered: its address leads back to the referral, saying why
    edit = browser.get(f"/referrals/{referral_id}/edit")
    assert edit.status_code == 302 and edit.headers["Location"].endswith(f"/referrals/{referral_id}")
    assert "so it can no longer be changed" in text_of(browser.get(f"/referrals/{referral_id}"))

    # and a change posted anyway (a form opened before someone closed it) is refused, saving nothing
    data = {"status": "open", "referred_on": ["1", "1", "2020"], "need": "Anything", "version": "1"}
    response = post_form(browser, app, f"/referrals/{referral_id}/edit", data)
    assert response.status_code == 400
    message = (f"This referral was declined on {uk_date(TODAY)}, so it can no longer be changed. If it was "
               "closed by mistake, ask a manager to reopen it")
    refused = Page(response)
    assert refused.title.startswith("Error: ") and message in refused.summary_errors
    assert 'name="need"' not in response.get_data(as_text=True)  # no edit controls
    assert referral_state(app, referral_id) == before

    assert post_form(browser, app, f"/referrals/{referral_id}/reopen",
                     {"reason": "Please", "version": "1"}).status_code == 403
    assert referral_state(app, referral_id) == before
    assert "referral.reopened" not in actions(app)


def test_a_manager_reopens_a_closed_referral_with_a_reason(app, browser_as, make_client, make_referral):
    manager = browser_as("manager")
    referral_id = make_referral(make_client(), **CLOSED)

    page = manager.get(f"/referrals/{referral_id}")
    assert "Reopen the referral" in text_of(page)
    assert Page(page).values["version"] == ["1"]

    response = post_form(manager, app, f"/referrals/{referral_id}/reopen",
                         {"reason": "Declined in error: the agency has a place after all", "version": "1"})

    assert response.status_code == 302
    state = referral_state(app, referral_id)
    assert (state["status"], state["closed_on"], state["outcome"]) == ("open", None, None)
    shown = manager.get(f"/referrals/{referral_id}")
    assert "reopened" in " ".join(Page(shown).banners)
    body = text_of(shown)
    newest = Page(shown).rows[0]  # the status history, newest first
    assert newest[:3] == ["Open Reopened: Declined in error: the agency has a place after all", "Declined",
                          uk_date(TODAY)]
    assert "Change or close the referral" in body and "Reopen the referral" not in body
    assert "referral.reopened" in actions(app)
    # open again, its change form is offered as before
    assert form_from_page(manager.get(f"/referrals/{referral_id}/edit"))["status"] == "open"


def test_a_reopen_without_a_reason_is_refused_with_a_message_and_changes_nothing(app, browser_as, make_client,
                                                                                make_referral):
    manager = browser_as("manager")
    referral_id = make_referral(make_client(), **CLOSED)
    before = referral_state(app, referral_id)

    response = post_form(manager, app, f"/referrals/{referral_id}/reopen", {"reason": "  ", "version": "1"})

    assert response.status_code == 400
    assert_field_error(response, "reason", "Enter why you are reopening this referral")
    assert referral_state(app, referral_id) == before
    assert "referral.reopened" not in actions(app)


def test_a_stale_reopen_is_refused(app, browser_as, make_client, make_referral):
    manager = browser_as("manager")
    referral_id = make_referral(make_client(), **CLOSED)
    response = post_form(manager, app, f"/referrals/{referral_id}/reopen", {"reason": "Mistake", "version": "7"})
    assert response.status_code == 409
    assert "It has not been reopened" in text_of(response)
    assert Page(response).textareas["reason"] == "Mistake" and Page(response).values["version"] == ["1"]
    assert referral_state(app, referral_id)["status"] == "declined"
