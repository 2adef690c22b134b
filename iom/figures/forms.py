"""Monthly figures forms, each owning its GOV.UK-style messages."""
from iom.form_fields import FlaskForm, OUT_OF_DATE, stripped, version_field
from govuk_frontend_wtf.wtforms_widgets import GovCheckboxesInput, GovSubmitInput, GovTextInput
from wtforms import HiddenField, SelectMultipleField, StringField, SubmitField
from wtforms.validators import DataRequired, ValidationError

from iom.figures.months import BadPeriod, parse_month
from iom.figures.operations import MAX_CRIMES, MAX_MINIMUM
from iom.clients.models import STRANDS
from iom.form_fields import UKDateField, choices, whole_number



class ReoffendingRangeForm(FlaskForm):
    """The adoptions to count, in the page's address (?from=&to=): a GET form that changes nothing,
    so it carries no CSRF token."""

    class Meta:
        csrf = False

    first = UKDateField("First adoption date", name="from", description="For example, 1 4 2011")
    last = UKDateField("Last adoption date", name="to", description="For example, 31 3 2012")

    def validate_last(self, field):
        if not field.errors and self.first.data and field.data and field.data < self.first.data:
            raise ValidationError("Last adoption date must be the same as or after the first adoption date")


class SacCountForm(FlaskForm):
    crimes = StringField("Serious acquisitive crimes recorded", widget=GovTextInput(), filters=[stripped],
                         description="Burglary, robbery and vehicle crime recorded in the month. Enter 0 if none.",
                         validators=[whole_number("Number of serious acquisitive crimes", 81, 0, MAX_CRIMES,
                                                  "Enter the number of serious acquisitive crimes")])
    version = version_field()
    submit = SubmitField("Save count", widget=GovSubmitInput())


class CloseMonthForm(FlaskForm):
    # the figures the manager saw: closing is refused if they changed since the page was opened
    seen = HiddenField(validators=[DataRequired(message=OUT_OF_DATE)])
    submit = SubmitField("Close this month", widget=GovSubmitInput())


class SchemeRuleForm(FlaskForm):
    minimum = StringField("Minimum number of clients counted", widget=GovTextInput(), filters=[stripped],
                          description="The month's minimum is met when at least this many clients in the counted "
                                      "strands are on the scheme on its last day.",
                          validators=[whole_number("Minimum", 70, 1, MAX_MINIMUM,
                                                   "Enter the minimum number of clients")])
    counted_strands = SelectMultipleField("Strands counted towards the minimum", widget=GovCheckboxesInput(),
                                          choices=choices(STRANDS), validate_choice=False)
    effective_from = StringField("Month the change applies from", widget=GovTextInput(), filters=[stripped],
                                 description="This month or a later one, as YYYY-MM, for example 2011-10. "
                                             "Earlier months keep the rule they were judged by.")
    submit = SubmitField("Save the change", widget=GovSubmitInput())

    def validate_counted_strands(self, field):
        chosen = field.data or []
        if not chosen:
            raise ValidationError("Select at least one strand to count towards the minimum")
        if any(code not in STRANDS for code in chosen):
            raise ValidationError("Select strands from the list")

    def validate_effective_from(self, field):
        field.month = None
        if not field.data:
            raise ValidationError("Enter the month the change applies from")
        try:
            field.month = parse_month(field.data)
        except BadPeriod:
            raise ValidationError("Month the change applies from must be written as YYYY-MM, for example 2011-10")
