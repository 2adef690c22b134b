"""Support payment and budget forms, each owning its GOV.UK-style messages."""
from iom.clock import today_in_london
from iom.form_fields import FlaskForm, version_field
from govuk_frontend_wtf.wtforms_widgets import GovSubmitInput, GovTextInput
from wtforms import StringField, SubmitField
from wtforms.validators import DataRequired, ValidationError

from iom.form_fields import MoneyField, UKDateField, one_of, stripped, words
from iom.payments.models import ACHIEVEMENTS, PURPOSES
from iom.money import BUDGET_LIMIT
from iom.years import BUDGET_WORDING, BadPeriod, FinancialYear

DECISIONS = {"approve": "Approve", "reject": "Reject"}


class PaymentRequestForm(FlaskForm):
    amount = MoneyField("Amount", description="In pounds and pence, for example 70 or 45.50")
    paid_on = UKDateField("Date of the payment", default=today_in_london,
                          description="When the money is paid or the item bought. For example, 27 3 2012")
    purpose = one_of("What is it for?", PURPOSES, "Select what the payment is for")
    detail = words("Description", limit=2_000, multiline=True,
                   description="What it is for in your own words; needed if you select Other. For example, a return "
                               "train fare to Leeds for a job interview at a warehouse",
                   needed_when=("purpose", "other", "Enter what the payment is for"))
    submit = SubmitField("Request payment", widget=GovSubmitInput())


class DecisionForm(FlaskForm):
    decision = one_of("Your decision", DECISIONS, "Select whether to approve or reject the payment")
    note = words("Note", limit=2_000, multiline=True,
                 description="Needed if you reject it: say why, so the officer can tell the client.",
                 needed_when=("decision", "reject", "Enter why the payment is rejected"))
    version = version_field()
    submit = SubmitField("Save decision", widget=GovSubmitInput())


class AchievementForm(FlaskForm):
    achieved = one_of("What did it achieve?", ACHIEVEMENTS, "Select what the payment achieved")
    achieved_notes = words("Notes", limit=2_000, multiline=True,
                           description="Needed if you select Other. For example, the employer's name.",
                           needed_when=("achieved", "other", "Enter what the payment achieved"))
    version = version_field()
    submit = SubmitField("Save what it achieved", widget=GovSubmitInput())


class BudgetForm(FlaskForm):
    financial_year = StringField("Financial year", widget=GovTextInput(), filters=[stripped],
                                 description="1 April to 31 March. For example, 2011-12",
                                 validators=[DataRequired(message="Enter the financial year")])
    amount = MoneyField("Budget", noun="Budget", allow_zero=True, limit=BUDGET_LIMIT,
                        description="In pounds and pence, for example 1,000 or 1500.00")
    shown_amount = version_field()
    submit = SubmitField("Set budget", widget=GovSubmitInput())

    def validate_financial_year(self, field):
        if field.data:
            try:
                field.data = FinancialYear.parse(field.data, BUDGET_WORDING).label
            except BadPeriod as error:
                raise ValidationError("Enter a financial year like 2011-12 (for 1 April 2011 to 31 March 2012)") \
                    from error
