"""The caseload table written in Python (iom/clients/table.py): the cells the template drew, every value
escaped, and sort links that are url_for's."""
import re
from datetime import date
from types import SimpleNamespace

import pytest
from flask import url_for
from markupsafe import Markup

from iom.clients.table import caseload_rows, sort_headers
from iom.clients.views import CASELOAD_COLUMNS

LABELS = {"strands": {"catch_convict": "Catch and Convict"}, "risk_levels": {"high": "High"},
          "tiers": {"red": "Red"}}
TAGS = {"community": Markup('<strong class="govuk-tag">Community</strong>'),
        "custody": Markup('<strong class="govuk-tag govuk-tag--red">Custody</strong>')}


def row(family="Example", given="Ann", reference="IOM-1", pnc_id=None, manager=None, custody="community",
        on_scheme=True, joined=date(2011, 4, 5), left=None, risk=None, tier=None, score=None):
    client = SimpleNamespace(family_name=family, given_name=given, reference=reference, pnc_id=pnc_id,
                             risk_level=risk, tier=tier)
    period = SimpleNamespace(strand="catch_convict", joined_on=joined, left_on=left)
    return SimpleNamespace(client=client, period=period, manager_name=manager, custody_status=custody,
                           on_scheme=on_scheme, score=score)


def cells(markup: str) -> list[str]:
    return re.findall(r"<td [^>]*>(.*?)</td>", str(markup))


def draw(*rows, shows_scores=False):
    return caseload_rows(rows, clients_path="/clients", custody_tags=TAGS, strands=LABELS["strands"],
                         risk_levels=LABELS["risk_levels"], tiers=LABELS["tiers"], shows_scores=shows_scores)


def test_each_row_has_the_cells_the_caseload_showed():
    drawn = draw(row(pnc_id="11/123456A", manager="Olive Officer", custody="custody", risk="high", tier="red"))
    assert isinstance(drawn, Markup) and drawn.startswith('<tr class="govuk-table__row">')
    assert cells(drawn) == ['<a class="govuk-link" href="/clients/IOM-1">Example, Ann</a>', "IOM-1", "11/123456A",
                            "Catch and Convict", str(TAGS["custody"]), "Olive Officer", "Since 5 April 2011",
                            "High", "Red"]
    assert drawn.count('<td class="govuk-table__cell">') == 9


@pytest.mark.parametrize("on_scheme, left, shown", [(True, None, "Since 5 April 2011"),
                                                    (False, date(2012, 1, 31), "Left 31 January 2012"),
                                                    (False, None, "From 5 April 2011")])
def test_the_scheme_column_says_since_left_or_from(on_scheme, left, shown):
    assert cells(draw(row(on_scheme=on_scheme, left=left)))[6] == shown


def test_a_row_without_a_manager_risk_or_tier_says_so_or_is_blank():
    assert cells(draw(row()))[2:] == ["", "Catch and Convict", str(TAGS["community"]), "Not assigned",
                                      "Since 5 April 2011", "", ""]


def test_every_value_from_a_record_is_escaped():
    hostile = '<script>alert("x")</script>'
    drawn = draw(row(family=hostile, given="O'Brien & Co", reference='IOM-1"><b', pnc_id="<i>", manager=hostile))
    assert "<script>" not in drawn and "<i>" not in drawn and '"><b' not in drawn
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;, O&#39;Brien &amp; Co" in drawn
    assert 'href="/clients/IOM-1&#34;&gt;&lt;b"' in drawn


def test_the_score_column_is_there_only_for_those_who_see_scores():
    assert "numeric" not in draw(row())
    scored = draw(row(score=SimpleNamespace(score=17)), row(), shows_scores=True)
    assert '<td class="govuk-table__cell govuk-table__cell--numeric">17</td>' in scored
    assert '<span class="govuk-visually-hidden">No offences recorded</span>' in scored


def test_sort_links_are_the_addresses_url_for_makes(app):
    kept = {"q": "O'Brien & Søn / 100%", "officer": "", "sort": "score", "direction": "desc", "scheme": "all",
            "strand": "catch convict"}
    with app.test_request_context("/clients"):
        drawn = sort_headers(CASELOAD_COLUMNS, sort="name", direction="asc", kept=kept,
                             path=url_for("clients.list_clients"))
        expected = {key: url_for("clients.list_clients", **dict(kept, sort=key,
                                                                direction="desc" if key == "name" else "asc"))
                    for _, key, _ in CASELOAD_COLUMNS if key}
    for key, address in expected.items():
        assert f'href="{Markup.escape(address)}"' in drawn, key
        assert address.count("sort=") == 1, address
    assert drawn.count("<th ") == len(CASELOAD_COLUMNS)
    assert '<th scope="col" class="govuk-table__header">PNC ID</th>' in drawn


def test_the_sorted_column_says_which_way_and_flips_on_a_click():
    columns = [("Name", "name", "asc"), ("Score", "score", "desc")]
    ascending = sort_headers(columns, sort="name", direction="asc", kept={}, path="/clients")
    assert 'aria-sort="ascending"' in ascending and "direction=desc" in ascending.split("Score")[0]
    assert '<span aria-hidden="true">▲</span>' in ascending
    # an unsorted column starts in its own first direction: the score highest first
    assert 'aria-sort="none"' in ascending and "sort=score&amp;direction=desc" in ascending
    descending = sort_headers(columns, sort="name", direction="desc", kept={}, path="/clients")
    assert 'aria-sort="descending"' in descending and "▼" in descending
