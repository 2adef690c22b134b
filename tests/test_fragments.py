"""Parts of a page drawn once and kept (iom/fragments.py): drawn again only for another key, the slots
filled afresh each time (and escaped unless markup), bounded, and nothing of one person shown to another."""
from markupsafe import Markup

from iom import fragments
from tests.pages import plain


def test_a_part_is_drawn_once_for_each_key(app):
    drawn = []

    def body(text):
        def caller():
            drawn.append(text)
            return Markup(f"<p>{text}</p>")
        return caller
    with app.test_request_context("/"):
        assert fragments.keep("a", 1, caller=body("first")) == Markup("<p>first</p>")
        assert fragments.keep("a", 1, caller=body("second")) == Markup("<p>first</p>")
        assert fragments.keep("a", 2, caller=body("third")) == Markup("<p>third</p>")
    assert drawn == ["first", "third"]


def test_slots_are_filled_each_time_and_plain_text_is_escaped(app):
    def caller():
        return Markup(f"<p>Hello {fragments.slot('name')}</p>")
    with app.test_request_context("/"):
        assert fragments.keep("hello", caller=caller, fill={"name": "<b>Ann</b>"}) == "<p>Hello &lt;b&gt;Ann&lt;/b&gt;</p>"
        assert fragments.keep("hello", caller=caller, fill={"name": Markup("<b>Bo</b>")}) == "<p>Hello <b>Bo</b></p>"


def test_at_most_kept_parts_are_kept_the_oldest_dropped_first(app, monkeypatch):
    monkeypatch.setattr(fragments, "KEPT", 3)
    with app.test_request_context("/"):
        for number in range(5):
            fragments.keep(number, caller=lambda number=number: Markup(str(number)))
        assert list(app.extensions["iom.fragments"]) == [(2,), (3,), (4,)]


def test_the_kept_menu_shows_each_person_their_own_name_and_their_own_roles_menu(app, signed_in):
    officer, _ = signed_in("officer", display_name="Olive Officer")
    manager, _ = signed_in("manager", display_name="Mandy Manager")
    admin, _ = signed_in("admin", display_name="Adam Admin")
    for _ in range(2):  # the second time round, every part comes from what was kept
        pages = {name: plain(browser.get("/")) for name, browser in
                 (("Olive Officer", officer), ("Mandy Manager", manager), ("Adam Admin", admin))}
        for name, text in pages.items():
            assert f"Signed in as {name}" in text
            assert all(other not in text for other in pages if other != name)
        assert "Payments" in pages["Mandy Manager"] and "Users" not in pages["Mandy Manager"]
        assert "Users" in pages["Adam Admin"] and "Caseload" in pages["Olive Officer"]


def test_each_sign_out_form_carries_its_own_sessions_token(app, signed_in):
    import re
    tokens = []
    for browser in (signed_in("officer")[0], signed_in("officer")[0]):
        html = browser.get("/clients").get_data(as_text=True)
        account = html[html.index('class="iom-account'):html.index("</form>", html.index('class="iom-account'))]
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="csrf_token"', account)
        tokens.append(token.group(1) or token.group(2))
        assert browser.post("/logout", data={"csrf_token": tokens[-1]}).status_code == 302
        assert browser.get("/clients").status_code == 302  # signed out: the token was this session's
    assert tokens[0] != tokens[1]
