"""The caseload table's body and sortable headers, written in Python rather than the template.

A page of 50 clients is 500 cells. Drawn by Jinja each cell cost an output step, an autoescape and an
attribute lookup through the environment, and each of the nine sort links a macro call and a `url_for`:
together about a third of the caseload page's time (bench/README.md). Here each value is escaped once,
by `markupsafe.escape`, and the page's markup is joined once. The cells and their classes are the GOV.UK
table's, as the template drew them; tests/clients/test_table.py checks the markup, the escaping and the
links.
"""
from collections.abc import Iterable, Mapping
from urllib.parse import urlencode

from markupsafe import Markup, escape

from iom.clock import uk_date

_CELL = '<td class="govuk-table__cell">'
_NO_SCORE = ('<td class="govuk-table__cell govuk-table__cell--numeric"><span class="govuk-visually-hidden">'
             'No offences recorded</span></td>')


def _on_scheme(row) -> str:
    period = row.period
    if row.on_scheme:
        return f"Since {uk_date(period.joined_on)}"
    if period and period.left_on:
        return f"Left {uk_date(period.left_on)}"
    if period:
        return f"From {uk_date(period.joined_on)}"
    return ""


def caseload_rows(rows: Iterable, *, clients_path: str, custody_tags: Mapping[str, str], strands: Mapping,
                  risk_levels: Mapping, tiers: Mapping, shows_scores: bool) -> Markup:
    """The table rows (`<tr>`s) of a page of CaseloadRows. `custody_tags` is each custody status's tag,
    already markup (the template draws them with govukTag); a record's address is `clients_path`/reference:
    a reference is letters, digits, ".", "_" and "-" (iom/imports/validation/cells.py REFERENCE, and IOM-n,
    DISPOSED-n), which an address carries as they are, and it is escaped here all the same."""
    parts = []
    add = parts.append
    path = escape(clients_path)
    # the labels escaped once a page, not once a cell; what a person typed is escaped in each row
    strands, risk_levels, tiers = ({key: escape(label) for key, label in labels.items()}
                                   for labels in (strands, risk_levels, tiers))
    for row in rows:
        client, period = row.client, row.period
        reference = escape(client.reference)
        add('<tr class="govuk-table__row">')
        add(f'{_CELL}<a class="govuk-link" href="{path}/{reference}">{escape(client.family_name)}, '
            f'{escape(client.given_name)}</a></td>')
        add(f"{_CELL}{reference}</td>")
        add(f"{_CELL}{escape(client.pnc_id or '')}</td>")
        add(f"{_CELL}{strands[period.strand] if period else ''}</td>")
        add(f"{_CELL}{custody_tags[row.custody_status]}</td>")
        add(f"{_CELL}{escape(row.manager_name or 'Not assigned')}</td>")
        add(f"{_CELL}{_on_scheme(row)}</td>")  # a date and fixed words
        add(f"{_CELL}{risk_levels[client.risk_level] if client.risk_level else ''}</td>")
        add(f"{_CELL}{tiers[client.tier] if client.tier else ''}</td>")
        if shows_scores:
            add(f'<td class="govuk-table__cell govuk-table__cell--numeric">{escape(row.score.score)}</td>'
                if row.score else _NO_SCORE)
        add("</tr>")
    return Markup("".join(parts))  # nosec B704: every value above is escaped, the rest is fixed markup


# what werkzeug's url_for leaves as it is in a query (werkzeug.urls._urlencode), so the links are url_for's
_URL_SAFE = "!$'()*,/:;?@"


def sort_headers(columns: Iterable[tuple], *, sort: str, direction: str, kept: Mapping[str, str],
                 path: str) -> Markup:
    """The header cells of the sortable columns: (label, key, first) each, first the direction a first click
    sorts in ("desc": highest first); a column without a key is not sortable. `kept` is the address's other
    arguments (filters), which each link keeps; `path` the list's own address."""
    cells = []
    for label, key, first in columns:
        if key is None:
            cells.append(f'<th scope="col" class="govuk-table__header">{escape(label)}</th>')
            continue
        active = sort == key
        next_direction = ("asc" if direction == "desc" else "desc") if active else first
        shown = ("ascending" if direction == "asc" else "descending") if active else "none"
        # as url_for(**dict(kept, sort=..., direction=...)): a sort already in the address keeps its place
        query = urlencode(list({**kept, "sort": key, "direction": next_direction}.items()), safe=_URL_SAFE)
        href = escape(f"{path}?{query}")
        arrow = f' <span aria-hidden="true">{"▲" if direction == "asc" else "▼"}</span>' if active else ""
        cells.append(f'<th scope="col" class="govuk-table__header" aria-sort="{shown}">\n  <a class="govuk-link '
                     f'govuk-link--no-visited-state" href="{href}">{escape(label)}{arrow}</a>\n</th>')
    return Markup("\n".join(cells))  # nosec B704: the labels and addresses are escaped, the rest is fixed
