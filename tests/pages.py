"""Reading a rendered page the way the tests need it, and posting forms back: one parser and one
set of page helpers for every area's tests (in the browser too: the last section)."""
import io
import re
import secrets
from datetime import date
from html import unescape
from html.parser import HTMLParser

from itsdangerous import URLSafeTimedSerializer
from pypdf import PdfReader

DEFAULT_PASSWORD = "plum orchard lantern 42"
# Every account the suite makes has this second-factor secret unless a test says otherwise (tests only).
TEST_TOTP_SECRET = "TESTTOTPSECRETFORTHESUITEONLY234"
# The suite's pinned clock (time_machine's coordinates, set by conftest.py): moved on 30 seconds when one
# person signs in so often that every code the service would accept right now has been used.
suite_clock = None


class Page(HTMLParser):
    """Title, GOV.UK error summary and inline error messages (by id), success banners, inputs
    (with their form's action), input values, textareas, selected options and table rows."""

    def __init__(self, response):
        super().__init__(convert_charrefs=True)
        self.title = ""
        self.summary_errors: list[str] = []
        self.field_errors: dict[str, str] = {}
        self.banners: list[str] = []
        self.inputs: list[dict] = []
        self.values: dict[str, list[str]] = {}       # every value given under a name
        self.input_values: dict[str, str] = {}      # the last value given under a name
        self.textareas: dict[str, str] = {}
        self.selected: dict[str, str] = {}
        self.rows: list[list[str]] = []
        self.form_fields: dict[str, dict[str, list[str]]] = {}   # form action -> name -> values offered
        self._form_action = None
        self._capture = None  # [kind, key, end tag, text parts]
        self._in_summary_list = False
        self._select = None
        self._in_tbody = False
        self._row = None
        self._cell = None
        self.feed(response.get_data(as_text=True))

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        classes = (attrs.get("class") or "").split()
        if tag in ("input", "textarea", "select") and attrs.get("name") and self._form_action is not None:
            offered = self.form_fields.setdefault(self._form_action, {}).setdefault(attrs["name"], [])
            if tag == "input" and attrs.get("type") not in ("submit", "button"):
                offered.append(attrs.get("value") or "")
        if tag == "option" and self._select and self._form_action is not None:
            self.form_fields[self._form_action].setdefault(self._select, []).append(attrs.get("value") or "")
        if tag == "form":
            self._form_action = attrs.get("action", "")
        elif tag == "input":
            self.inputs.append(dict(attrs, _form=self._form_action))
            if attrs.get("name"):
                self.values.setdefault(attrs["name"], []).append(attrs.get("value") or "")
                self.input_values[attrs["name"]] = attrs.get("value")
        elif tag == "title":
            self._capture = ["title", None, "title", []]
        elif tag == "ul" and "govuk-error-summary__list" in classes:
            self._in_summary_list = True
        elif tag == "a" and self._in_summary_list:
            self._capture = ["summary", attrs.get("href"), "a", []]
        elif tag == "p" and "govuk-error-message" in classes:
            self._capture = ["field", attrs.get("id"), "p", []]
        elif tag == "p" and "govuk-notification-banner__heading" in classes:
            self._capture = ["banner", None, "p", []]
        elif tag == "textarea":
            self._capture = ["textarea", attrs.get("name"), "textarea", []]
        elif tag == "select":
            self._select = attrs.get("name")
        elif tag == "option" and self._select and "selected" in attrs:
            self.selected[self._select] = attrs.get("value")
        elif tag == "tbody":
            self._in_tbody = True
        elif tag == "tr" and self._in_tbody:
            self._row = []
        elif tag == "td" and self._row is not None:
            self._cell = []
        elif tag == "br" and self._cell is not None:
            self._cell.append(" ")

    def handle_endtag(self, tag):
        if tag == "form":
            self._form_action = None
        elif tag == "ul":
            self._in_summary_list = False
        elif tag == "select":
            self._select = None
        elif tag == "tbody":
            self._in_tbody = False
        elif tag == "td" and self._cell is not None:
            self._row.append(" ".join("".join(self._cell).split()))
            self._cell = None
        elif tag == "tr" and self._row is not None:
            self.rows.append(self._row)
            self._row = None
        if self._capture and tag == self._capture[2]:
            kind, key, _, parts = self._capture
            text = " ".join("".join(parts).split())
            if kind == "title":
                self.title = text
            elif kind == "summary":
                self.summary_errors.append(text)
            elif kind == "field":
                self.field_errors[key] = text.removeprefix("Error:").strip()
            elif kind == "banner":
                self.banners.append(text)
            else:
                self.textareas[key] = "".join(parts).strip()
            self._capture = None

    def handle_data(self, data):
        if self._capture:
            self._capture[3].append(data)
        if self._cell is not None:
            self._cell.append(data)

    def checked(self, name, form_suffix=""):
        return [i["value"] for i in self.inputs if i.get("name") == name and i.get("type") == "radio"
                and "checked" in i and (i["_form"] or "").endswith(form_suffix)]

    def value(self, name, form_suffix=""):
        values = [i.get("value") for i in self.inputs
                  if i.get("name") == name and (i["_form"] or "").endswith(form_suffix)]
        assert len(values) == 1, (name, form_suffix, values)
        return values[0]


def assert_field_error(response, field_id: str, message: str) -> None:
    """The GOV.UK pattern: 'Error:' in the title, the message in the summary and by the field
    (a date's message is by its fieldset, id'd after the field or after its day box)."""
    page = Page(response)
    assert page.title.startswith("Error: "), page.title
    assert message in page.summary_errors, page.summary_errors
    shown = page.field_errors.get(f"{field_id}-error") or page.field_errors.get(f"{field_id}-day-error")
    assert shown == message, page.field_errors


def text_of(response) -> str:
    """The page's HTML with entities decoded, whitespace collapsed."""
    return " ".join(unescape(response.get_data(as_text=True)).split())


def plain(response) -> str:
    """The page's words without its markup, whitespace collapsed."""
    return text_of_fragment(response.get_data(as_text=True))


def text_of_fragment(html: str) -> str:
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def row_text(response, month_text: str) -> str:
    """The text of one month's row in the figures year's table."""
    body = response.get_data(as_text=True)
    start = body.index(">", body.index(f'id="month-{month_text}"')) + 1
    return text_of_fragment(body[start:body.index("</tr>", start)])


def pagination_link(response, rel: str) -> str | None:
    """The address of the GOV.UK pagination's previous ("prev") or next link, if the page has one."""
    match = re.search(rf'<a class="govuk-link govuk-pagination__link" href="([^"]+)" rel="{rel}"',
                      response.get_data(as_text=True))
    return unescape(match.group(1)) if match else None


def day_month_year(day: date | None) -> list[str]:
    """A date as a GOV.UK date input's three boxes ('' for blank)."""
    return ["", "", ""] if day is None else [str(day.day), str(day.month), str(day.year)]


def form_from_page(response) -> dict:
    """What a referral's edit page shows, ready to post back (dates as their three boxes)."""
    page = Page(response)
    body = response.get_data(as_text=True)
    data = {name: values if len(values) == 3 and name.endswith("_on") else values[0]
            for name, values in page.values.items() if name not in ("csrf_token",) and not name.endswith("-day")
            and not name.endswith("-month") and not name.endswith("-year")}
    for name in ("referred_on", "closed_on", "next_action_due_on", "duty_to_refer_on"):
        if f"{name}-day" in page.values:
            data[name] = [page.values[f"{name}-{part}"][0] for part in ("day", "month", "year")]
    for name in ("status", "outcome", "duty_to_refer_made"):
        match = re.search(rf'name="{name}" type="radio" value="([^"]*)" checked', body)
        data.pop(name, None)
        if match:
            data[name] = match.group(1)
    for name in ("agency_id", "duty_to_refer_outcome"):
        select_html = re.search(rf'<select[^>]*name="{name}".*?</select>', body, re.S)
        if select_html:
            chosen = re.search(r'<option value="([^"]*)" selected', select_html.group(0))
            data[name] = chosen.group(1) if chosen else ""
    data.update(page.textareas)
    return data


# --- posting through the test client ---------------------------------------------------------------

def csrf_token(client, app) -> str:
    """A valid CSRF token for this client's session, made the way Flask-WTF makes them."""
    with client.session_transaction() as session:
        raw = session.get("csrf_token")
        if raw is None:
            raw = secrets.token_hex(20)
            session["csrf_token"] = raw
    return URLSafeTimedSerializer(app.secret_key, salt="wtf-csrf-token").dumps(raw)


def post_form(client, app, url, data=None, **kwargs):
    data = dict(data or {})
    data.setdefault("csrf_token", csrf_token(client, app))
    return client.post(url, data=data, **kwargs)


def next_code(app, username) -> str:
    """The code the person's authenticator app would show, computed with pyotp from their secret at the
    service's (pinned) clock: the current step's, or the next one's when that was used (a second sign-in
    within 30 seconds), moving the suite's clock on only when both are used."""
    from datetime import timedelta

    import pyotp
    from sqlalchemy import select

    from iom.auth.models import User
    from iom.auth.second_factor import time_step
    from iom.extensions import db
    with app.app_context():
        user = db.session.scalar(select(User).where(User.username == username.strip().lower()))
        secret, last = user.totp_secret, user.totp_last_step
    now = time_step()
    if last is not None and last > now:
        suite_clock.shift(timedelta(seconds=30 * (last + 1 - now)))
        now = time_step()
    step = now + 1 if last == now else now
    return pyotp.TOTP(secret).at(step * 30)


def give_code(client, app, username, url="/login/code", **kwargs):
    return post_form(client, app, url, {"code": next_code(app, username)}, **kwargs)


def sign_in(client, app, username, password=DEFAULT_PASSWORD, **kwargs):
    """Both steps of signing in: the password (posted to /login), then the code, computed with pyotp at
    the pinned clock. The response is the last step's: a wrong password's page, the code's redirect, or
    for an account with no second factor yet, the set-up's recovery codes page."""
    response = post_form(client, app, "/login", {"username": username, "password": password}, **kwargs)
    extra = {key: value for key, value in kwargs.items() if key == "environ_base"}
    if response.status_code == 302 and response.headers["Location"].endswith("/login/code"):
        response = give_code(client, app, username, **extra)
    elif response.status_code == 302 and response.headers["Location"].endswith("/login/set-up-second-factor"):
        # no second factor yet: the set-up page makes the secret; the answer is the recovery codes page (200)
        client.get("/login/set-up-second-factor", **extra)
        response = give_code(client, app, username, url="/login/set-up-second-factor", **extra)
    return response


def as_user(app, client, username):
    """Sign in as one of the `staff` fixture's people."""
    assert sign_in(client, app, username).status_code == 302


# --- in the browser (Playwright) -------------------------------------------------------------------

def sign_in_through_the_page(page, live_server, username, password):
    """Both steps in the browser: the password, then (when it was right) the code from pyotp."""
    page.goto(f"{live_server.url}/login")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()
    if page.url.split("?")[0].endswith("/login/code"):
        page.get_by_label("Code").fill(next_code(live_server.app, username))
        page.get_by_role("button", name="Continue").click()
        page.wait_for_load_state()


def fill_date(page, legend, day, month, year):
    group = page.get_by_role("group", name=legend)
    group.get_by_label("Day").fill(day)
    group.get_by_label("Month").fill(month)
    group.get_by_label("Year").fill(year)


def chart_legibility_problems(svg_markup: str, smallest_px: float = 16, contrast: float = 4.5) -> list[str]:
    """What makes a server-drawn chart hard to read: any of its words smaller than `smallest_px`
    CSS pixels when the chart is drawn at its narrowest (iom/charts.py: MIN_WIDTH_PX, or
    MIN_WIDTH_PX_WIDE for a wide chart), or in a colour under `contrast` : 1 against the white page."""
    from xml.etree import ElementTree

    from iom.charts import MIN_WIDTH_PX, MIN_WIDTH_PX_WIDE

    def luminance(colour: str) -> float:
        channels = [int(colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
        r, g, b = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * r + 0.7152 * g + 0.0722 * b

    svg = ElementTree.fromstring(svg_markup)
    narrowest = MIN_WIDTH_PX_WIDE if "iom-chart--wide" in svg.get("class", "") else MIN_WIDTH_PX
    scale = narrowest / float(svg.get("viewBox").split()[2])
    problems = []
    for words in svg.iter("{http://www.w3.org/2000/svg}text"):
        size = float(words.get("font-size")) * scale
        if size < smallest_px - 0.01:
            problems.append(f"{words.text!r} is {size:.1f} px")
        ratio = 1.05 / (luminance(words.get("fill", "#0b0c0c")) + 0.05)
        if ratio < contrast:
            problems.append(f"{words.text!r} has a contrast of {ratio:.1f} : 1")
    return problems


def open_part_of_record(page, part: str) -> None:
    """In a browser, open one part of a client's record from its sub navigation ("Custody", "Payments")."""
    import re
    page.get_by_role("navigation", name=re.compile(r"^Parts of ")).get_by_role("link", name=part, exact=True).click()


# --- reading a PDF --------------------------------------------------------------------------------

def pdf_text(content: bytes) -> str:
    reader = PdfReader(io.BytesIO(content))
    parts = [page.extract_text() or "" for page in reader.pages]
    parts += [str(value) for value in (reader.metadata or {}).values()]
    return "\n".join(parts)


# --- over real HTTP, to a server in another process (gunicorn) --------------------------------------

class HttpResponse:
    """An http.client answer, read once, shaped like the test client's responses (for Page)."""

    def __init__(self, answer):
        self.status_code = answer.status
        self.headers = answer.headers
        self.body = answer.read()

    def get_data(self, as_text=False):
        return self.body.decode("utf-8") if as_text else self.body

    @property
    def text(self) -> str:
        return self.get_data(as_text=True)


class HttpSession:
    """A browser's part for a server in another process: cookies kept (by hand, so the suite's pinned clock
    never expires them), redirects answered, not followed."""

    def __init__(self, base_url: str):
        from urllib.parse import urlsplit
        parts = urlsplit(base_url)
        self.host, self.port = parts.hostname, parts.port
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, form: dict | None = None) -> HttpResponse:
        import http.client
        from http.cookies import SimpleCookie
        from urllib.parse import urlencode
        headers = {"Cookie": "; ".join(f"{name}={value}" for name, value in self.cookies.items())} if self.cookies else {}
        body = None
        if form is not None:
            body = urlencode(form, doseq=True)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        connection = http.client.HTTPConnection(self.host, self.port, timeout=60)
        try:
            connection.request(method, path, body=body, headers=headers)
            response = HttpResponse(connection.getresponse())
        finally:
            connection.close()
        for header in response.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                if morsel["max-age"] == "0" or not morsel.value:
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.value
        return response

    def get(self, path: str) -> HttpResponse:
        return self.request("GET", path)

    def post_form(self, path: str, data: dict) -> HttpResponse:
        """Post `data` to `path` with the CSRF token of the form at `path` (fetched first, as a person would)."""
        token = Page(self.get(path)).input_values["csrf_token"]
        return self.request("POST", path, {**data, "csrf_token": token})


def sign_in_over_http(session: HttpSession, username: str, password: str = DEFAULT_PASSWORD,
                      totp_secret: str = TEST_TOTP_SECRET) -> HttpResponse:
    """Both steps against a server in another process. That server keeps the real time, not the suite's
    pinned clock, so the code is the one for the moment its own Date header gives."""
    from email.utils import parsedate_to_datetime

    import pyotp
    answer = session.post_form("/login", {"username": username, "password": password})
    assert answer.status_code == 302 and answer.headers["Location"].endswith("/login/code"), answer.status_code
    code_page = session.get("/login/code")
    server_moment = parsedate_to_datetime(code_page.headers["Date"]).timestamp()
    token = Page(code_page).input_values["csrf_token"]
    return session.request("POST", "/login/code", {"code": pyotp.TOTP(totp_secret).at(server_moment),
                                                   "csrf_token": token})
