"""The caseload list, the client page, and the forms that keep a case up to date."""
from collections.abc import Callable
from dataclasses import dataclass

from flask import Blueprint, abort, flash, get_template_attribute, redirect, render_template, request, url_for
from flask_login import current_user
from markupsafe import Markup
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError
from wtforms.fields.choices import SelectChoice

from iom import audit, generations, kept_pages
from iom.auth.access import not_found, refuse
from iom.auth.permissions import (ALCOHOL_SCREENING_ROLES, CASEWORKERS, MANAGER, OFFENCE_ROLES, OFFICER, allow_blueprint,
                                  has_own_caseload, may_see_alcohol_screening, may_see_case_notes, may_see_offences,
                                  may_see_payments, may_use, only)
from iom.clients import operations, queries, table
from iom.clients.forms import (AddClientForm, AdoptForm, AlcoholScreeningForm, CaseNoteForm, CorrectAlcoholScreeningForm,
                               EditClientForm, LeaveForm, MergeForm, PairForm)
from iom.clients.offending_record import offending_record
from iom.clients.models import (ALCOHOL, AUDIT_C_POSITIVE, AUDIT_C_QUESTIONS, AUDIT_C_SHORT, COHORT_TIERS, EXIT_REASONS,
                                PROGRAMMES, RISK_LEVELS, STRANDS, AlcoholScreening, Client, SchemePeriod)
from iom.clients.operations import PossibleDuplicate
from iom.clock import today_in_london, uk_date
from iom.custody.forms import CustodyEventForm
from iom.custody.models import CUSTODY_STATUSES
from iom.custody.operations import record_custody_event
from iom.extensions import db
from iom.form_fields import database_id
from iom.pagination import Paging, without_paging
from iom.offending import operations as offending_operations
from iom.offending import queries as offending_queries
from iom.offending.forms import CorrectOffenceForm, OffenceForm, RemoveOffenceForm
from iom.offending.models import ALCOHOL_INVOLVED, OFFENCE_OUTCOMES, OFFENCE_TYPES, Offence
from iom.offending.scores import kept_scoring
from iom.rules import StaleEdit
from iom.saving import save_or_errors
from iom.watch import operations as watch_operations

bp = Blueprint("clients", __name__, url_prefix="/clients")
allow_blueprint(bp, CASEWORKERS)

LABELS = {"strands": STRANDS, "programmes": PROGRAMMES, "alcohol": ALCOHOL, "risk_levels": RISK_LEVELS,
          "exit_reasons": EXIT_REASONS, "custody_statuses": CUSTODY_STATUSES, "cohort_tiers": COHORT_TIERS,
          "offence_types": OFFENCE_TYPES, "offence_outcomes": OFFENCE_OUTCOMES, "alcohol_involved": ALCOHOL_INVOLVED,
          "audit_c_questions": AUDIT_C_QUESTIONS, "audit_c_short": AUDIT_C_SHORT, "audit_c_positive": AUDIT_C_POSITIVE}


@bp.context_processor
def labels():
    return LABELS


def get_client_or_404(reference: str) -> Client:
    """Load a client by reference; an unknown reference is a 404, and audited. The reference of a
    record merged into another redirects to the same page of the record kept."""
    client = queries.client_by_reference(reference)
    if client is None:
        not_found("client.not_found", f"client reference {reference[:40]}", "client",
                  {"reference": [None, reference[:40]]})
    if client.merged_into_id is not None:
        kept = db.session.get(Client, client.merged_into_id)
        abort(redirect(url_for(request.endpoint, **{**request.view_args, "reference": kept.reference})))
    return client


def _officer_choices(form) -> None:
    form.offender_manager_id.choices = [SelectChoice("", "Not assigned")] + [
        SelectChoice(str(user.id), user.display_name) for user in queries.officers() if user.is_active
        or str(user.id) == (form.offender_manager_id.data or "")]


SCHEME_FILTERS = {"on": "On the scheme today", "left": "Left the scheme"}


def selected_filters(filters: queries.CaseloadFilters, officers) -> list[dict]:
    """The caseload's filters in force, each as the MOJ filter's tag: its words, and the address of
    the same list without it (the sort kept)."""
    kept = {"q": filters.search, "officer": filters.officer, "strand": filters.strand, "custody": filters.custody,
            "scheme": filters.scheme, "tier": filters.tier, "sort": filters.sort, "direction": filters.direction}
    names = {str(officer.id): officer.display_name for officer in officers} | {"none": "Not assigned"}
    tiers = COHORT_TIERS | {"none": "Tier not set"}
    shown = [("q", f"Search: {filters.search}" if filters.search else None, ""),
             ("officer", f"Offender manager: {names.get(filters.officer, 'unknown')}" if filters.officer else None, ""),
             ("strand", STRANDS.get(filters.strand), ""),
             ("custody", CUSTODY_STATUSES.get(filters.custody), ""),
             ("scheme", SCHEME_FILTERS.get(filters.scheme), "all"),
             ("tier", tiers.get(filters.tier), "")]
    return [{"text": words, "href": url_for("clients.list_clients", **(kept | {name: neutral}))}
            for name, words, neutral in shown if words]


# The caseload's columns: (label, sort key, the direction a first click sorts in); PNC ID does not sort.
CASELOAD_COLUMNS = [("Name", "name", "asc"), ("Reference", "reference", "asc"), ("PNC ID", None, None),
                    ("Strand", "strand", "asc"), ("Custody", "custody", "asc"), ("Offender manager", "officer", "asc"),
                    ("On the scheme", "joined", "asc"), ("Risk", "risk", "asc"), ("Tier", "tier", "asc")]


@dataclass(frozen=True)
class ShownCaseload:
    """A caseload page as made for one request's inputs: what its audit entry says, and its content."""
    total: int
    filters: dict      # the filters in force and the page's number, for the audit entry
    content: Markup


@bp.route("")
def list_clients():
    # Kept whole while nothing it shows has changed (iom/kept_pages.py): the key names every input of
    # _caseload_page and its template, and the generation is the one read with this request's session.
    args = request.args
    today = today_in_london()
    key = (today, current_user.id, current_user.role, request.script_root, tuple(args.items(multi=True)))
    generation = generations.current()
    kept = kept_pages.kept("caseload")
    shown = kept.get(generation, key)
    if shown is None:
        shown = _caseload_page(args, today)
        kept.put(generation, key, shown)
    # the caseload as subject: administrators see that a search was made, never what was typed
    audit.record("clients.listed", f"Viewed the caseload list ({shown.total} matching)", subject=("caseload", None),
                 changes={"filters": [None, shown.filters]})
    db.session.commit()
    return render_template("clients/list.html", content=shown.content)


def _caseload_page(args, today) -> ShownCaseload:
    """The caseload page the address asks for, as this account sees it on this day."""
    filters = queries.CaseloadFilters(
        search=args.get("q", "").strip()[:100],
        strand=args.get("strand", "") if args.get("strand", "") in STRANDS else "",
        custody=args.get("custody", "") if args.get("custody", "") in CUSTODY_STATUSES else "",
        officer=args.get("officer", "") if len(args.get("officer", "")) <= 9 else "none",
        scheme=args.get("scheme", "on") if args.get("scheme") in ("on", "left", "all") else "on",
        tier=args.get("tier", "") if args.get("tier", "") in (*COHORT_TIERS, "none") else "",
        sort=args.get("sort", "name") if args.get("sort") in queries.SORTS else "name",
        direction="desc" if args.get("direction") == "desc" else "asc",
    )
    # Officers land on their own caseload; "anyone" is an explicit choice in the filter.
    if "officer" not in args and has_own_caseload(current_user):
        filters.officer = str(current_user.id)
    # the adoption score is made from offences: shown (and sorted by) only for those who may see them
    scoring = kept_scoring() if may_see_offences(current_user) else None
    if scoring is None and filters.sort == "score":
        filters.sort, filters.direction = "name", "asc"
    page = queries.caseload(filters, today, Paging().cursor(args), scoring)
    officers = queries.kept_officers()
    # the table's headers and rows are written in Python (iom/clients/table.py); the tags are the template's
    path = url_for("clients.list_clients")
    columns = [*CASELOAD_COLUMNS, *([("Score", "score", "desc")] if scoring is not None else [])]
    headers = table.sort_headers(columns, sort=filters.sort, direction=filters.direction,
                                 kept=without_paging(args), path=path)
    custody_tag = get_template_attribute("clients/_macros.html", "custody_tag")
    rows = table.caseload_rows(page.rows, clients_path=path,
                               custody_tags={status: custody_tag(status) for status in CUSTODY_STATUSES},
                               strands=STRANDS, risk_levels=RISK_LEVELS, tiers=COHORT_TIERS,
                               shows_scores=scoring is not None)
    content = render_template("clients/_caseload.html", page=page, filters=filters, officers=officers,
                              selected=selected_filters(filters, officers), headers=headers, rows=rows,
                              can_add=may_use(current_user, "clients.add_client"), shows_scores=scoring is not None,
                              is_manager=may_use(current_user, "clients.list_duplicates"))
    return ShownCaseload(page.total, {k: v for k, v in vars(filters).items() if v not in ("", None)}
                         | {"page": page.number}, Markup(content))  # nosec B704: a template's output, escaped there


@bp.route("/new", methods=["GET", "POST"])
@only(OFFICER, MANAGER)
def add_client():
    form = AddClientForm()
    watch_entry = None
    watch_id = database_id(request.args.get("watch")) or database_id(form.watch_entry.data)
    if watch_id:
        watch_entry = watch_operations.get_open_entry(watch_id)
        if watch_entry is None:
            flash("That watch list entry is already closed, so a new client was not pre-filled from it.", "info")
        elif request.method == "GET":
            form.given_name.data = watch_entry.given_name
            form.family_name.data = watch_entry.family_name
            form.date_of_birth.data = watch_entry.date_of_birth
            form.pnc_id.data = watch_entry.pnc_id
            form.watch_entry.data = str(watch_entry.id)
    if request.method == "GET" and not form.offender_manager_id.data and has_own_caseload(current_user):
        form.offender_manager_id.data = str(current_user.id)
    _officer_choices(form)
    duplicate = None
    if form.validate_on_submit():
        def add():
            client = operations.add_client(form.details(), strand=form.strand.data, joined_on=form.joined_on.data,
                                           different_from=form.confirmed_different())
            if watch_entry is not None:
                watch_operations.mark_adopted(watch_entry, client)
            return client

        saved = save_or_errors(form, add, races={IntegrityError: (
            None, "Someone else added a client at the same moment. Select Add client again.", 400)})
        if saved:
            client = saved.result
            flash(f"{client.full_name} added as {client.reference}", "success")
            return redirect(url_for("clients.show_client", reference=client.reference))
        if isinstance(saved.error, PossibleDuplicate):
            error = duplicate = saved.error
            form.duplicate_ids.data = "" if error.is_certain else ",".join(str(c.id) for c in error.clients)
            form.different_people.data = False
            references = [c.reference for c in error.clients]
            audit.record("client.duplicate_warned", "Warned that the person being added may already be client "
                         + ", ".join(references), subject=error.clients[0],
                         changes={"possible_duplicates": [None, references]})
            db.session.commit()
    return render_template("clients/add.html", form=form, watch_entry=watch_entry, duplicate=duplicate), \
        (400 if form.errors else 200)


@bp.route("/duplicates")
@only(MANAGER)
def list_duplicates():
    pairs, total = queries.possible_duplicates()
    audit.record("clients.duplicates_listed", f"Viewed the possible duplicates ({total} pairs)",
                 changes={"pairs": [None, [[pair.first.reference, pair.second.reference] for pair in pairs]]})
    db.session.commit()
    return render_template("clients/duplicates.html", pairs=pairs, total=total, form=PairForm(formdata=None))


def _pair(form) -> tuple[Client, Client] | None:
    """The two records a pair form names; None (and an error on the form) when either is missing or unknown."""
    if not form.first.data or not form.second.data:
        form.submit.errors = [*form.submit.errors, "Choose the two records from the list of possible duplicates"]
        return None
    first = queries.client_by_reference(form.first.data[:32])
    second = queries.client_by_reference(form.second.data[:32])
    if first is None or second is None:
        form.submit.errors = [*form.submit.errors, "One of these records does not exist. Choose the two records "
                              "from the list of possible duplicates"]
        return None
    return first, second


@bp.route("/duplicates/different", methods=["POST"])
@only(MANAGER)
def mark_different():
    form = PairForm()
    if form.validate_on_submit() and (pair := _pair(form)) is not None:
        if save_or_errors(form, lambda: operations.mark_different_people(*pair, current_user)):
            flash(f"{pair[0].reference} and {pair[1].reference} marked as different people", "success")
            return redirect(url_for("clients.list_duplicates"))
    pairs, total = queries.possible_duplicates()
    audit.record("clients.duplicates_listed", f"Viewed the possible duplicates ({total} pairs)",
                 changes={"pairs": [None, [[pair.first.reference, pair.second.reference] for pair in pairs]]})
    db.session.commit()
    return render_template("clients/duplicates.html", pairs=pairs, total=total, form=form), 400


@bp.route("/merge", methods=["GET", "POST"])
@only(MANAGER)
def merge():
    form = MergeForm(formdata=request.form if request.method == "POST" else request.args)
    pair = _pair(form)
    if pair is None:
        return render_template("clients/merge.html", form=form, records=[]), 400
    first, second = pair
    form.keep.choices = [(first.reference, f"Keep {first.reference}"), (second.reference, f"Keep {second.reference}")]
    if request.method == "POST" and form.validate():
        kept, duplicate = (first, second) if form.keep.data == first.reference else (second, first)
        if save_or_errors(form, lambda: operations.merge_clients(kept, duplicate)):
            flash(f"{duplicate.reference} merged into {kept.reference}. {duplicate.reference} now opens this record",
                  "success")
            return redirect(url_for("clients.show_client", reference=kept.reference))
    elif request.method == "GET" and first.id == second.id:
        form.keep.errors = ["Choose two different records: a record cannot be merged with itself"]
    records = [(queries.client_page(client, today_in_london(), with_notes=False), queries.rows_held(client))
               for client in dict.fromkeys(pair)]
    for page, _ in records:
        operations.record_client_viewed(page.client, "merge records page")
    db.session.commit()
    return render_template("clients/merge.html", form=form, records=records), (400 if form.errors else 200)


# The client page in parts, one page each under the MOJ sub navigation (the whole record on one
# page was about 5,000 px tall): the summary (details and periods), then each area. A part a role
# may not see is neither offered nor served (an audited refusal).
CLIENT_SECTIONS = {"summary": "Summary", "custody": "Custody", "offending": "Offending", "referrals": "Referrals",
                   "payments": "Payments", "notes": "Case notes", "history": "Change history"}


def client_sections(user) -> list[str]:
    """The parts of the client page the user may see, in order."""
    hidden = set()
    if not may_see_offences(user):
        hidden.add("offending")
    if not may_see_payments(user):
        hidden.add("payments")
    if not may_see_case_notes(user):
        hidden |= {"notes", "history"}
    return [section for section in CLIENT_SECTIONS if section not in hidden]


def client_section_url(client: Client, section: str) -> str:
    if section == "summary":
        return url_for("clients.show_client", reference=client.reference)
    return url_for("clients.show_client", reference=client.reference, section=section)


def client_form_page(template: str, client: Client, what: str, form, status: int | None = None, **context):
    """A form about a client, shown: the view of their details audited ("edit details form") and
    committed, then the page, answering 400 when the form has errors unless status says otherwise."""
    operations.record_client_viewed(client, what)
    db.session.commit()
    return render_template(template, form=form, client=client, **context), (
        status if status is not None else 400 if form.errors else 200)


def render_client_page(client: Client, section: str, note_form=None, status: int = 200):
    """One part of the client page, audited as a view of them. Each part reads what it shows and
    no more: the page's fixed queries, then the part's own (notes, offending, screenings, panels)."""
    sees_case_notes = may_see_case_notes(current_user)
    page = queries.client_page(client, today_in_london(), with_notes=section == "notes")
    operations.record_client_viewed(client, None if section == "summary" else f"{CLIENT_SECTIONS[section].lower()} page")
    db.session.commit()
    navigation = [{"text": CLIENT_SECTIONS[name], "href": client_section_url(client, name), "active": name == section}
                  for name in client_sections(current_user)]
    summary = section == "summary"
    return render_template("clients/show.html", page=page, client=client, section=section, sections=navigation,
                           section_names=CLIENT_SECTIONS,
                           note_form=note_form or CaseNoteForm(formdata=None), form=note_form,
                           merged_references=queries.merged_references(client) if summary else [],
                           sees_case_notes=sees_case_notes, can_edit=may_use(current_user, "clients.edit_client"),
                           can_export_record=summary and may_use(current_user, "data_protection.subject_access_page"),
                           is_housing=not may_see_payments(current_user),
                           offending=offending_for(page) if section == "offending" else None,
                           screenings=queries.screenings_for(client.id)
                           if summary and may_see_alcohol_screening(current_user) else None,
                           **(panels(client) if section in ("referrals", "payments") else {})), status


@bp.route("/<reference>")
@bp.route("/<reference>/<section>")
def show_client(reference: str, section: str = "summary"):
    if section not in CLIENT_SECTIONS or (section == "summary" and request.view_args.get("section")):
        abort(404)
    client = get_client_or_404(reference)
    if section not in client_sections(current_user):
        refuse(subject=client)
    return render_client_page(client, section)


def offending_for(page: queries.ClientPage):
    """The client page's offending record, only for those who may see it (officers and managers)."""
    return offending_record(page, today_in_london()) if may_see_offences(current_user) else None


# The areas above clients add their panels to the client page (referrals, payments), so clients never
# imports them: each takes the client and returns its part of the page's context, limited to the role.
CLIENT_PAGE_PANELS: list[Callable[[Client], dict]] = []


def client_page_panel(panel: Callable[[Client], dict]) -> Callable[[Client], dict]:
    """Add a panel to the client page."""
    CLIENT_PAGE_PANELS.append(panel)
    return panel


def panels(client: Client) -> dict:
    """Every area's panel for the client page."""
    context: dict = {}
    for panel in CLIENT_PAGE_PANELS:
        context |= panel(client)
    return context


@bp.route("/<reference>/edit", methods=["GET", "POST"])
@only(OFFICER, MANAGER)
def edit_client(reference: str):
    client = get_client_or_404(reference)
    form = EditClientForm(obj=client if request.method == "GET" else None)
    if request.method == "GET":
        form.offender_manager_id.data = str(client.offender_manager_id or "")
        form.risk_level.data = client.risk_level or ""
        form.tier.data = client.tier or ""
        form.version.data = str(client.version)
    _officer_choices(form)
    conflicts = None
    status = 200
    if form.validate_on_submit():
        saved = save_or_errors(form, lambda: operations.update_client(client, form.details(),
                                                                      version=form.version.data),
                               races={StaleDataError: (None, "Someone else saved this client at the same moment. "
                                      "Your changes have not been saved. Reload the page to see their changes.", 409)})
        if saved:
            flash("No changes to save" if not saved.result else f"{client.full_name}'s details saved", "success")
            return redirect(url_for("clients.show_client", reference=client.reference))
        status = saved.status
        if isinstance(saved.error, StaleEdit):
            conflicts = saved.error.conflicts
    elif form.errors:
        status = 400
    if conflicts is not None:
        db.session.refresh(client)
    return client_form_page("clients/edit.html", client, "edit details form", form, status=status,
                            conflicts=conflicts, officers={str(u.id): u.display_name for u in queries.officers()})


@bp.route("/<reference>/adopt", methods=["GET", "POST"])
@only(OFFICER, MANAGER)
def adopt(reference: str):
    client = get_client_or_404(reference)
    form = AdoptForm()
    # adopting someone from the watch list who is already a client closes their watch entry too
    watch_id = database_id(request.args.get("watch"))
    watch_entry = watch_operations.get_open_entry(watch_id) if watch_id else None
    if form.validate_on_submit():
        def adopt_onto_scheme():
            operations.adopt_client(client, strand=form.strand.data, joined_on=form.joined_on.data)
            if watch_entry is not None:
                watch_operations.mark_adopted(watch_entry, client)

        if save_or_errors(form, adopt_onto_scheme):
            flash(f"{client.full_name} adopted onto the scheme", "success")
            return redirect(url_for("clients.show_client", reference=client.reference))
    return client_form_page("clients/adopt.html", client, "adopt onto the scheme form", form, watch_entry=watch_entry)


@bp.route("/<reference>/periods/<int:period_id>/leave", methods=["GET", "POST"])
@only(OFFICER, MANAGER)
def leave(reference: str, period_id: int):
    client = get_client_or_404(reference)
    period = db.session.get(SchemePeriod, period_id)
    if period is None or period.client_id != client.id:
        abort(404)
    form = LeaveForm()
    if request.method == "GET":
        form.version.data = str(period.version)
    status = 200
    if form.validate_on_submit():
        # saved by someone else between our check and our write (StaleDataError): a stale save too
        saved = save_or_errors(
            form, lambda: operations.leave_scheme(client, period, left_on=form.left_on.data,
                                                  exit_reason=form.exit_reason.data, version=form.version.data),
            races={StaleDataError: (None, "Someone else changed this period at the same moment. Reload the page.",
                                    409)})
        if saved:
            flash(f"Recorded {client.full_name} leaving the scheme", "success")
            return redirect(url_for("clients.show_client", reference=client.reference))
        status = saved.status
    elif form.errors:
        status = 400
    return client_form_page("clients/leave.html", client, "record leaving the scheme form", form, status=status,
                            period=period)


@bp.route("/<reference>/notes", methods=["POST"])
@only(OFFICER, MANAGER)
def add_note(reference: str):
    client = get_client_or_404(reference)
    form = CaseNoteForm()
    if form.validate_on_submit():
        if save_or_errors(form, lambda: operations.add_case_note(client, current_user, form.body.data)):
            flash("Case note added", "success")
            return redirect(client_section_url(client, "notes"))
    return render_client_page(client, "notes", note_form=form, status=400)


@bp.route("/<reference>/custody/new", methods=["GET", "POST"])
@only(OFFICER, MANAGER)
def record_custody(reference: str):
    client = get_client_or_404(reference)
    form = CustodyEventForm()
    if form.validate_on_submit():
        if save_or_errors(
                form, lambda: record_custody_event(client, status=form.status.data, from_date=form.from_date.data,
                                                   establishment=form.establishment.data,
                                                   expected_release_on=form.expected_release_on.data,
                                                   recorded_by=current_user),
                races={IntegrityError: ("from_date", "A change is already recorded for that day. Only one change "
                                        "can be recorded a day", 400)}):
            flash(f"Custody change recorded for {client.full_name}", "success")
            return redirect(client_section_url(client, "custody"))
    return client_form_page("custody/new.html", client, "record a custody change form", form)


# --- offences: officers and managers only (auth.permissions.may_see_offences) ---------------------

def get_offence_or_404(client: Client, offence_id: int) -> Offence:
    """Load one of this client's offences; unknown, or another person's, is a 404 (audited)."""
    offence = offending_queries.load_offence(offence_id)
    if offence is None or offence.client_id != client.id:
        not_found("offence.not_found", f"offence {offence_id} of client {client.reference}", "offence",
                  {"offence": [None, offence_id], "client": [None, client.reference]})
    return offence


def _offence_shown(field: str, value) -> str:
    """A saved or entered value of an offence, as people read it."""
    labels = {"offence_type": OFFENCE_TYPES, "outcome": OFFENCE_OUTCOMES, "alcohol_involved": ALCOHOL_INVOLVED}
    if value is None or value == "":
        return "Not known yet" if field == "outcome" else "Not given"
    if field == "offence_on":
        return uk_date(value)
    return labels.get(field, {}).get(value, str(value))


def _conflict_rows(form, conflicts, shown) -> list[tuple[str, str, str]]:
    """The stale-save table's rows: each differing field's label, your entry and what is saved now,
    as `shown(field, value)` writes them."""
    return [(form[c.field].label.text, shown(c.field, c.yours), shown(c.field, c.saved)) for c in conflicts]


def _offending_url(client: Client) -> str:
    return client_section_url(client, "offending")


@bp.route("/<reference>/offences/new", methods=["GET", "POST"])
@only(*OFFENCE_ROLES)
def record_offence(reference: str):
    client = get_client_or_404(reference)
    form = OffenceForm()
    if form.validate_on_submit():
        if save_or_errors(form, lambda: offending_operations.record_offence(client, form.details(), current_user)):
            flash(f"Offence recorded for {client.full_name}", "success")
            return redirect(_offending_url(client))
    return client_form_page("offending/offence_form.html", client, "record an offence form", form, offence=None,
                            conflicts=None)


def _offence_page(reference: str, offence_id: int, form_class):
    """The client, their offence (access checked) and the page's form, at the offence's version on a GET."""
    client = get_client_or_404(reference)
    offence = get_offence_or_404(client, offence_id)
    form = form_class()
    if request.method == "GET":
        form.version.data = str(offence.version)
    return client, offence, form


def _change_offence(client: Client, offence_id: int, form, change, *, race: str, done):
    """Save a version-checked change to an offence (a correction, a removal) and commit it.
    Returns the redirect when saved; else (None, status, the offence reloaded, the outcome), the
    form moved to the saved version after a stale save, its entries kept."""
    saved = save_or_errors(form, change, races={StaleDataError: (None, race, 409)})
    if saved:
        flash(done(saved.result), "success")
        return redirect(_offending_url(client)), saved.status, None, saved
    offence = get_offence_or_404(client, offence_id)
    if saved.is_stale:  # saving again (after checking) saves over the newer version
        form.version.data = str(offence.version)
    return None, saved.status, offence, saved


@bp.route("/<reference>/offences/<int:offence_id>/edit", methods=["GET", "POST"])
@only(*OFFENCE_ROLES)
def correct_offence(reference: str, offence_id: int):
    client, offence, form = _offence_page(reference, offence_id, CorrectOffenceForm)
    if request.method == "GET":
        form.fill_from(offence)
    conflicts, status = None, 200
    if form.validate_on_submit():
        done, status, offence, saved = _change_offence(
            client, offence_id, form,
            lambda: offending_operations.correct_offence(offence, client, form.details(), version=form.version.data),
            race="Someone else saved this offence at the same moment. Your changes have not been saved. Reload "
                 "the page to see their changes.",
            done=lambda changes: f"Offence corrected for {client.full_name}" if changes else "No changes to save")
        if done:
            return done
        conflicts = _conflict_rows(form, saved.conflicts, _offence_shown) if saved.is_stale else None
    elif form.errors:
        status = 400
    return client_form_page("offending/offence_form.html", client, "correct an offence form", form, status=status,
                            offence=offence, conflicts=conflicts)


@bp.route("/<reference>/offences/<int:offence_id>/remove", methods=["GET", "POST"])
@only(*OFFENCE_ROLES)
def remove_offence(reference: str, offence_id: int):
    client, offence, form = _offence_page(reference, offence_id, RemoveOffenceForm)
    status = 200
    if form.validate_on_submit():
        done, status, offence, _ = _change_offence(
            client, offence_id, form,
            lambda: offending_operations.remove_offence(offence, client, version=form.version.data,
                                                        reason=form.reason.data),
            race="Someone else changed this offence at the same moment. It has not been removed. Reload the page "
                 "to see their change.",
            done=lambda _: f"Offence removed from {client.full_name}'s record")
        if done:
            return done
    elif form.errors:
        status = 400
    return client_form_page("offending/remove_offence.html", client, "remove an offence page", form, status=status,
                            offence=offence)


# --- AUDIT-C screenings: health data, officers and managers only (auth.permissions.may_see_alcohol_screening) ----

def get_screening_or_404(client: Client, screening_id: int) -> AlcoholScreening:
    """Load one of this client's screenings; unknown, or another person's, is a 404 (audited)."""
    screening = queries.load_screening(screening_id)
    if screening is None or screening.client_id != client.id:
        not_found("alcohol_screening.not_found", f"AUDIT-C screening {screening_id} of client {client.reference}",
                  "alcohol_screening", {"alcohol_screening": [None, screening_id], "client": [None, client.reference]})
    return screening


def _screening_shown(field: str, value) -> str:
    """A saved or entered value of a screening, as people read it."""
    if value is None or value == "":
        return "Not given"
    if field == "screened_on":
        return uk_date(value)
    answers = AUDIT_C_QUESTIONS[field][1]
    return f"{answers[value]} (scores {value})" if value in answers else str(value)


def _screening_url(client: Client) -> str:
    return url_for("clients.show_client", reference=client.reference)


@bp.route("/<reference>/alcohol-screenings/new", methods=["GET", "POST"])
@only(*ALCOHOL_SCREENING_ROLES)
def record_alcohol_screening(reference: str):
    client = get_client_or_404(reference)
    form = AlcoholScreeningForm()
    if form.validate_on_submit():
        saved = save_or_errors(form, lambda: operations.record_alcohol_screening(client, form.details(), current_user))
        if saved:
            screening = saved.result
            flash(f"AUDIT-C screening recorded for {client.full_name}: score {screening.score} of 12 "
                  f"({'positive' if screening.is_positive else 'negative'})", "success")
            return redirect(_screening_url(client))
    return client_form_page("clients/alcohol_screening_form.html", client, "record an AUDIT-C screening form", form,
                            screening=None, conflicts=None)


@bp.route("/<reference>/alcohol-screenings/<int:screening_id>/edit", methods=["GET", "POST"])
@only(*ALCOHOL_SCREENING_ROLES)
def correct_alcohol_screening(reference: str, screening_id: int):
    client = get_client_or_404(reference)
    screening = get_screening_or_404(client, screening_id)
    form = CorrectAlcoholScreeningForm()
    if request.method == "GET":
        form.fill_from(screening)
        form.version.data = str(screening.version)
    conflicts, status = None, 200
    if form.validate_on_submit():
        saved = save_or_errors(
            form, lambda: operations.correct_alcohol_screening(screening, client, form.details(),
                                                               version=form.version.data),
            races={StaleDataError: (None, "Someone else saved this screening at the same moment. Your changes have "
                                          "not been saved. Reload the page to see their changes.", 409)})
        if saved:
            flash(f"AUDIT-C screening corrected for {client.full_name}" if saved.result else "No changes to save",
                  "success")
            return redirect(_screening_url(client))
        status = saved.status
        screening = get_screening_or_404(client, screening_id)
        if saved.is_stale:  # their entries stay; saving again (after checking) saves over the newer version
            form.version.data = str(screening.version)
            conflicts = _conflict_rows(form, saved.conflicts, _screening_shown)
    elif form.errors:
        status = 400
    return client_form_page("clients/alcohol_screening_form.html", client, "correct an AUDIT-C screening form", form,
                            status=status, screening=screening, conflicts=conflicts)
