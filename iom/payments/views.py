"""Support payments: the yearly ledger, requests from the client page, managers' decisions and
the budget for each financial year. Never shown to the housing role or the reviewer."""
from decimal import Decimal

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user

from iom import audit
from iom.auth.access import not_found
from iom.auth.permissions import MANAGER, PAYMENT_ROLES, allow_blueprint, may_see_payments, may_use, only
from iom.clients.models import Client
from iom.clients.views import client_form_page, client_page_panel, get_client_or_404
from iom.clock import today_in_london
from iom.extensions import db
from iom.payments import operations, queries
from iom.payments.forms import AchievementForm, BudgetForm, DecisionForm, PaymentRequestForm
from iom.payments.models import ACHIEVEMENTS, DEFAULT_BUDGET, PAYMENT_STATUSES, PURPOSES, SupportPayment
from iom.money import BUDGET_LIMIT, MoneyError, gbp, parse_gbp
from iom.saving import save_or_errors
from iom.years import BUDGET_WORDING, BadPeriod, FinancialYear

bp = Blueprint("payments", __name__)
allow_blueprint(bp, PAYMENT_ROLES)


@bp.app_template_filter("gbp")
def gbp_filter(amount) -> str:
    return gbp(amount)


@bp.app_context_processor
def labels():
    # app-wide: the client page's payments panel needs them too
    return {"payment_purposes": PURPOSES, "payment_achievements": ACHIEVEMENTS, "payment_statuses": PAYMENT_STATUSES}


@client_page_panel
def payments_panel(client: Client) -> dict:
    """The client page's support payments: none for a role that may not see payments."""
    return {"payments": queries.for_client(client) if may_see_payments(current_user) else [],
            "can_request_payment": may_use(current_user, "payments.request_payment")}


def _year_from(text: str | None) -> FinancialYear | None:
    """The financial year asked for, the current one when none; None when the text is not a year."""
    if not text:
        return FinancialYear.of(today_in_london())
    try:
        return FinancialYear.parse(text, BUDGET_WORDING)
    except BadPeriod:
        return None


def get_payment_or_404(payment_id: int) -> SupportPayment:
    """Load a payment with its client; an unknown id is a 404, and audited."""
    payment = queries.load_payment(payment_id)
    if payment is None:
        not_found("payment.not_found", f"support payment {payment_id}", "support_payment", {"id": [None, payment_id]})
    return payment


# --- the ledger, the approvals queue and the budget ----------------------------------------------

@bp.route("/payments")
def ledger():
    year = _year_from(request.args.get("year"))
    if year is None:
        flash("That is not a financial year. Showing this year instead: years are written like 2011-12.", "info")
        return redirect(url_for("payments.ledger"))
    result = queries.ledger(year)
    audit.record("payments.ledger_viewed", f"Viewed the support payments ledger for {year} "
                 f"({len(result.lines)} approved, {len(result.pending)} waiting, {len(result.rejected)} rejected)",
                 changes={"financial_year": [None, year.label]})
    db.session.commit()
    return render_template("payments/ledger.html", ledger=result, year=year.label,
                           previous_year=year.shifted(-1).label, next_year=year.shifted(1).label,
                           is_manager=may_use(current_user, "payments.approvals"))


@bp.route("/payments/approvals")
@only(MANAGER)
def approvals():
    waiting = queries.awaiting_decision()
    positions = {year.label: position for year, position in
                 queries.year_positions(FinancialYear.of(payment.paid_on) for payment in waiting).items()}
    audit.record("payments.approvals_viewed", f"Viewed the support payments waiting for approval ({len(waiting)})")
    db.session.commit()
    return render_template("payments/approvals.html", waiting=waiting, positions=positions)


def _budget_page(form: BudgetForm, year: FinancialYear, status: int = 200):
    position = queries.year_summary(year)
    budgets = queries.budgets()
    audit.record("budgets.viewed", f"Viewed the support budgets ({year} selected)",
                 changes={"financial_year": [None, year.label]})
    db.session.commit()
    return render_template("payments/budget.html", form=form, year=year.label, position=position, budgets=budgets,
                           default_budget=DEFAULT_BUDGET), status


@bp.route("/payments/budget", methods=["GET", "POST"])
@only(MANAGER)
def budget():
    if request.method == "GET":
        year = _year_from(request.args.get("year")) or FinancialYear.of(today_in_london())
        current = queries.budget_for(year)
        form = BudgetForm(formdata=None, financial_year=year.label, shown_amount=f"{current:.2f}")
        form.amount.data = current
        return _budget_page(form, year)
    form = BudgetForm()
    year = _year_from(form.financial_year.data) or FinancialYear.of(today_in_london())
    if not form.validate_on_submit():
        return _budget_page(form, year, 400)
    try:
        shown = parse_gbp(form.shown_amount.data, allow_zero=True, limit=BUDGET_LIMIT)
    except MoneyError:
        shown = Decimal("-1")  # a tampered form: treat it as out of date
    saved = save_or_errors(form, lambda: operations.set_budget(year, form.amount.data, shown_amount=shown))
    if not saved:
        if saved.is_stale:
            form.shown_amount.data = f"{queries.budget_for(year):.2f}"
        return _budget_page(form, year, saved.status)
    flash(f"The {year} budget is {gbp(form.amount.data)}" if saved.result else
          f"No change: the {year} budget is already {gbp(form.amount.data)}", "success")
    return redirect(url_for("payments.ledger", year=year.label))


# --- one payment --------------------------------------------------------------------------------

def _show_page(payment: SupportPayment, *, decision_form=None, achievement_form=None, form=None, status=200):
    """The payment page (audited as a view), with either form re-shown with its errors."""
    decision_form = decision_form or DecisionForm(formdata=None, prefix="decision", version=payment.version)
    achievement_form = achievement_form or AchievementForm(
        formdata=None, prefix="achievement", version=payment.version, achieved=payment.achieved,
        achieved_notes=payment.achieved_notes)
    position = queries.year_summary(FinancialYear.of(payment.paid_on))
    audit.record("payment.viewed", f"Viewed support payment {payment.id} for client {payment.client.reference}",
                 subject=payment, changes={"client": [None, payment.client.reference]})
    db.session.commit()
    is_manager = may_use(current_user, "payments.decide")
    return render_template(
        "payments/show.html", payment=payment, client=payment.client, position=position, form=form,
        decision_form=decision_form, achievement_form=achievement_form,
        can_decide=is_manager and payment.status == "requested" and payment.requested_by_id != current_user.id,
        is_own_request=payment.requested_by_id == current_user.id,
        can_record_achievement=payment.status == "approved"), status


@bp.route("/payments/<int:payment_id>")
def show_payment(payment_id: int):
    return _show_page(get_payment_or_404(payment_id))


def _payment_action(payment: SupportPayment, form, action, form_key: str):
    """Run a decision or an achievement from the payment page; on failure re-show it, input kept."""
    if not form.validate_on_submit():
        return None, _show_page(payment, **{form_key: form}, form=form, status=400)
    saved = save_or_errors(form, action)
    if not saved:
        payment = queries.load_payment(payment.id)
        if saved.is_stale:
            form.version.data = str(payment.version)
        return None, _show_page(payment, **{form_key: form}, form=form, status=saved.status)
    return saved.result, None


@bp.route("/payments/<int:payment_id>/decide", methods=["POST"])
@only(MANAGER)
def decide(payment_id: int):
    payment = get_payment_or_404(payment_id)
    form = DecisionForm(prefix="decision")

    def action():
        if form.decision.data == "approve":
            return operations.approve_payment(payment, current_user, note=form.note.data, version=form.version.data)
        return operations.reject_payment(payment, current_user, note=form.note.data, version=form.version.data)

    left, failed = _payment_action(payment, form, action, "decision_form")
    if failed is not None:
        return failed
    if form.decision.data == "approve":
        flash(f"Payment of {gbp(payment.amount_gbp)} approved. {gbp(left)} is left in the "
              f"{payment.financial_year} budget", "success")
    else:
        flash(f"Payment of {gbp(payment.amount_gbp)} rejected", "success")
    return redirect(url_for("payments.show_payment", payment_id=payment.id))


@bp.route("/payments/<int:payment_id>/achieved", methods=["POST"])
def record_achievement(payment_id: int):
    payment = get_payment_or_404(payment_id)
    form = AchievementForm(prefix="achievement")
    changes, failed = _payment_action(
        payment, form,
        lambda: operations.record_achievement(payment, form.achieved.data, form.achieved_notes.data,
                                              version=form.version.data),
        "achievement_form")
    if failed is not None:
        return failed
    flash("What the payment achieved is saved" if changes else "No changes to save", "success")
    return redirect(url_for("payments.show_payment", payment_id=payment.id))


# --- requesting a payment -----------------------------------------------------------------------

@bp.route("/clients/<reference>/payments/new", methods=["GET", "POST"])
def request_payment(reference: str):
    client = get_client_or_404(reference)
    form = PaymentRequestForm()
    if form.validate_on_submit():
        saved = save_or_errors(form, lambda: operations.request_payment(
            client, amount=form.amount.data, paid_on=form.paid_on.data, purpose=form.purpose.data,
            detail=form.detail.data, requested_by=current_user))
        if saved:
            flash(f"Payment of {gbp(saved.result.amount_gbp)} requested. A manager will approve or reject it", "success")
            return redirect(url_for("clients.show_client", reference=client.reference, section="payments"))
    position = queries.year_summary(FinancialYear.of(today_in_london()))
    return client_form_page("payments/request.html", client, "support payment request form", form, position=position)
