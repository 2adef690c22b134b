"""Generated bad input, the way a probe of the running service sends it: every POST route, as
every role that may post it (and signed out where a page is public), gets its own form's fields
filled with huge numbers, NUL and control characters, very long strings, blanks, and fields left
out or repeated. None may answer 5xx (or raise). Also every GET page with hostile query strings.

Repeatable: Hypothesis is derandomized and bounded (see HOSTILE_SETTINGS)."""
from datetime import date
from urllib.parse import urlsplit

import pytest
from flask import url_for
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from werkzeug.routing.converters import AnyConverter

from iom.auth.permissions import ROLES, is_public, may
from iom.extensions import db
from tests.pages import Page, csrf_token, sign_in
from tests import builders
from tests.builders import make_alcohol_records_for_routes, make_client_for_routes, make_referrals_for_routes

HOSTILE_SETTINGS = settings(max_examples=6, deadline=None, derandomize=True, database=None,
                            suppress_health_check=list(HealthCheck))

HOSTILE_VALUES = [
    "", " ", "\x00", "Ann\x00Smith", "\x1b[2J", "\r\n", "a\tb", "\x7f", "\x85", "\u202e\ufeff",
    "9" * 20, "-" + "9" * 30, "99999999999999999999.99", "-1", "0", "1e400", "NaN", "Infinity", "0x10",
    "１２", "٣", "13", "31", "2011-10", "2011-12", "x" * 20_000, "'; DROP TABLE client; --", "<b>bold</b>",
]

# Tried in every field of every form, one field at a time (a space: see the random values).
SWEEP_VALUES = ["Ann\x00Smith", "9" * 20]

# Forms posted from a page other than their own (buttons on a record's page, say) are found here.
SOURCE_PAGES = ["/", "/clients/{reference}", "/watch-list/{entry_id}", "/payments/{payment_id}",
                "/figures/months/2011-10", "/admin/users/{user_id}", "/referrals/agencies",
                "/reports/2011-12/baseline", "/reports/2011-12/scheme-costs", "/import", "/figures/settings",
                "/alcohol-paper/2011-12/versions/2", "/alcohol-paper/2011-12", "/reports/2011-12", "/reports/2011-12/review"]

# Not posted until the end: it ends the session every other route needs.
LAST = {"auth.logout"}


def build_world(app, make_user) -> dict:
    """A client with a period and an offence, housing and mental-health referrals, an agency, a watch
    entry, a payment waiting for approval, a self-assessment question and a unit cost: every route's row."""
    from iom.clients.models import Client
    from iom.reports import operations as report_operations
    target_id, _ = make_user("officer", username="target.user")
    places = make_client_for_routes(app)
    places.update(make_referrals_for_routes(app, places["client"]))
    places.update(make_alcohol_records_for_routes(app, places["client"]))
    with app.app_context():
        person = db.session.scalar(db.select(Client).where(Client.reference == places["client"]))
        watch = builders.watch(date(2011, 5, 1))
        payment = builders.payment(person, date(2011, 10, 5), "50.00", status="requested")
        question = report_operations.add_question({"principle": "Partnership", "text": "Do partners meet?",
                                                   "position": 1})
        cost = report_operations.add_unit_cost({"crime_type": "Burglary", "cost_gbp": "5930.00",
                                                "share_percent": "20", "source": "Home Office",
                                                "price_year": "2015/16"})
        # the outside reviewer's review, a draft with a section and a question, so its pages have forms
        from iom.years import FinancialYear
        report_operations.choose_review_sections(FinancialYear.parse("2011-12"), ["summary", "months"],
                                                 "County Council", based_on="")
        review_question = report_operations.raise_review_question(FinancialYear.parse("2011-12"), "Why?", None,
                                                                  based_on="1")
        db.session.commit()
        ids = {"entry_id": watch.id, "payment_id": payment.id, "question_id": question.id, "cost_id": cost.id,
               "review_question_id": review_question.id}
    return {"user_id": target_id, "reference": places["client"], "period_id": places["period"],
            "offence_id": places["offence"], "offence_type": "shoplifting",
            "referral_id": places["referral"], "agency_id": places["agency"], "kind": "housing",
            "month": "2011-10", "year": "2011-12", "fmt": "csv", "screening_id": places["screening"],
            "number": 2, "review_section": "summary", "section": "custody", **ids}  # section: a part of the client page


def routes_for(app, role, world, method):
    """(endpoint, url) for every route of `method` the role may use, its placeholders filled."""
    found = []
    with app.test_request_context():
        for rule in sorted(app.url_map.iter_rules(), key=lambda r: (r.endpoint in LAST, r.rule)):
            if method not in rule.methods or rule.endpoint == "static":
                continue
            view = app.view_functions[rule.endpoint]
            if not (is_public(view) if role is None else may(role, rule.endpoint, view)):
                continue
            values = {name: world.get(name, "x" * 43) for name in rule.arguments}  # an unknown token
            for name, converter in rule._converters.items():  # an <any(...)> with its own choices: its first
                if isinstance(converter, AnyConverter) and values[name] not in converter.items:
                    values[name] = sorted(converter.items)[0]
            found.append((rule.endpoint, url_for(rule.endpoint, **values)))
    return found


def sweeps(app, role, endpoint) -> bool:
    """The field-by-field sweep runs once a route: as the first role (in ROLES order) that may post it,
    or signed out for a public page. Every role still gets the random posts."""
    view = app.view_functions[endpoint]
    if is_public(view):
        return role is None
    return role == next(r for r in ROLES if may(r, endpoint, view))


def fields_by_action(client, pages) -> dict[str, dict[str, list[str]]]:
    """Every form's field names and the values each page offers, by the path it posts to."""
    found: dict[str, dict[str, list[str]]] = {}
    for url in pages:
        response = client.get(url)
        if response.status_code != 200 or response.mimetype != "text/html":  # a download has no forms
            continue
        for action, fields in Page(response).form_fields.items():
            path = urlsplit(action or url).path
            for name, values in fields.items():
                found.setdefault(path, {}).setdefault(name, []).extend(values)
    return found


def field_value(offered: list[str]):
    valid = [value for value in offered if value] or [""]
    return st.one_of(st.sampled_from(valid), st.sampled_from(HOSTILE_VALUES), st.text(max_size=30),
                     st.integers(min_value=-2**70, max_value=2**70).map(str))


def hostile_form(fields: dict[str, list[str]]):
    """Each field kept as the page offers it, replaced, left out, blank or sent twice."""
    def one(name, offered):
        keep = st.just([v for v in offered if v][:1] or [""])
        return st.one_of(keep, st.just(None), field_value(offered).map(lambda v: [v]),
                         st.lists(field_value(offered), min_size=2, max_size=3))
    names = sorted(name for name in fields if not name.endswith("csrf_token"))
    return st.tuples(*(one(name, fields[name]) for name in names)).map(
        lambda picked: {name: values for name, values in zip(names, picked) if values is not None})


def signed_in_as(app, client, make_user, role):
    world = build_world(app, make_user)
    if role is not None:
        _, username = make_user(role)
        assert sign_in(client, app, username).status_code == 302
    return world


@pytest.mark.parametrize("role", [*ROLES, None], ids=[*ROLES, "signed_out"])
def test_no_form_post_gives_a_server_error(app, client, make_user, role):
    world = signed_in_as(app, client, make_user, role)
    routes = routes_for(app, role, world, "POST")
    pages = [url for _, url in routes_for(app, role, world, "GET")] + [p.format(**world) for p in SOURCE_PAGES]
    forms = fields_by_action(client, dict.fromkeys(pages))
    every_name = {name: values for fields in forms.values() for name, values in fields.items()}
    assert routes
    for endpoint, url in routes:
        fields = forms.get(url) or every_name

        token_names = {"csrf_token", *(name for name in fields if name.endswith("csrf_token"))}

        # First each field in turn, the others as the page offers them; then Hypothesis at random.
        # (a route whose form no page shows gets the random posts only, over every name seen)
        kept = {name: [v for v in values if v][:1] or [""] for name, values in forms.get(url, {}).items()
                if name not in token_names}
        for name in (kept if sweeps(app, role, endpoint) else ()):
            for value in SWEEP_VALUES:
                token = csrf_token(client, app)
                data = {**kept, name: [value], **{token_name: token for token_name in token_names}}
                response = client.post(url, data=data)
                assert response.status_code < 500, f"{endpoint} {url} {name}={value!r}"

        @HOSTILE_SETTINGS
        @given(form=hostile_form(fields))
        def post_hostile(form):
            token = csrf_token(client, app)  # a valid one, under a prefixed form's name too
            response = client.post(url, data={**form, **{name: token for name in token_names}})
            assert response.status_code < 500, f"{endpoint} {url} {form!r}"

        post_hostile()


HOSTILE_ARGS = ["q", "strand", "custody", "officer", "scheme", "sort", "direction", "page", "status", "year",
                "from", "to", "user", "subject_type", "subject_id", "action", "code", "watch", "next",
                "after", "before", "tier"]  # after/before: a list's page cursor (iom/pagination.py)


@pytest.mark.parametrize("role", ["manager", "admin", "housing", None], ids=["manager", "admin", "housing",
                                                                             "signed_out"])
def test_no_query_string_gives_a_server_error(app, client, make_user, role):
    world = signed_in_as(app, client, make_user, role)
    pages = [url for endpoint, url in routes_for(app, role, world, "GET") if endpoint != "auth.health"]
    pages += ["/clients/%00", "/clients/C%00X/edit", "/setup/%00", "/figures/months/%00", "/reports/%00"]
    args = st.dictionaries(st.sampled_from(HOSTILE_ARGS) | st.text(max_size=5),
                           st.sampled_from(HOSTILE_VALUES[:25]) | st.text(max_size=20), max_size=4)

    @settings(HOSTILE_SETTINGS, max_examples=100)
    @given(url=st.sampled_from(pages), query=args)
    def get_hostile(url, query):
        response = client.get(url, query_string=query)
        assert response.status_code < 500, f"{url} {query!r}"

    get_hostile()


def test_no_reoffending_range_gives_a_server_error(app, client, make_user):
    """The reoffending page's range: each of `from` and `to` sent as one ISO date, as the three boxes,
    or as any number of hostile values, on the page and its downloads."""
    signed_in_as(app, client, make_user, "manager")
    boxes = st.lists(st.sampled_from(HOSTILE_VALUES[:25] + ["1", "4", "2011", "2011-04-01"]) | st.text(max_size=12),
                     max_size=5)

    @settings(HOSTILE_SETTINGS, max_examples=60)
    @given(path=st.sampled_from(["/figures/reoffending", "/figures/reoffending.csv", "/figures/reoffending.xlsx"]),
           first=boxes, last=boxes)
    def get_hostile(path, first, last):
        response = client.get(path, query_string={"from": first, "to": last})
        assert response.status_code < 500, f"{path} from={first!r} to={last!r}"

    get_hostile()
