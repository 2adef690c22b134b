"""The offence forms (record, correct, remove) and the form for a partnership's own cost of crime,
each owning its GOV.UK-style messages. The rules themselves are iom.offending.rules, which the
operations apply whoever sends the details."""
from govuk_frontend_wtf.wtforms_widgets import GovRadioInput, GovSelect, GovSubmitInput, GovTextInput
from wtforms import RadioField, SelectField, StringField, SubmitField
from wtforms.validators import DataRequired, InputRequired, Length

from iom.form_fields import FlaskForm, MoneyField, UKDateField, choices, stripped, version_field, words
from iom.offending.models import ALCOHOL_INVOLVED, OFFENCE_OUTCOMES, OFFENCE_TYPES
from iom.offending.operations import REASON_LIMIT, SOURCE_LIMIT
from iom.offending.rules import CRIME_REFERENCE_LENGTH, UNIT_COST_LIMIT

OUTCOME_NOT_KNOWN = "Not known yet"



class OffenceForm(FlaskForm):
    offence_on = UKDateField("Date the offence was committed", not_future=True,
                             description="The day it was committed, not the day it was charged. For example, 27 3 2011")
    offence_type = SelectField("Type of offence", widget=GovSelect(),
                               choices=choices(OFFENCE_TYPES, blank="Select the type of offence"),
                               invalid_choice_message="Select the type of offence",
                               validators=[DataRequired(message="Select the type of offence")])
    outcome = RadioField("Outcome", widget=GovRadioInput(),
                         choices=choices(OFFENCE_OUTCOMES) + choices({"": OUTCOME_NOT_KNOWN}), default="",
                         invalid_choice_message="Select the outcome: convicted, cautioned, charged or other")
    crime_reference = StringField("Crime reference (optional)", widget=GovTextInput(), filters=[stripped],
                                  description="The police crime number, if you have it",
                                  validators=[Length(max=CRIME_REFERENCE_LENGTH,
                                                     message=f"Crime reference must be {CRIME_REFERENCE_LENGTH} "
                                                             "characters or fewer")])
    alcohol_involved = RadioField("Was alcohol involved?", widget=GovRadioInput(), choices=choices(ALCOHOL_INVOLVED),
                                  invalid_choice_message="Select whether alcohol was involved: yes, no or not known",
                                  validators=[InputRequired(message="Select whether alcohol was involved: yes, no or "
                                                                    "not known")])
    submit = SubmitField("Record offence", widget=GovSubmitInput())

    def details(self) -> dict:
        return {"offence_on": self.offence_on.data, "offence_type": self.offence_type.data,
                "outcome": self.outcome.data or None, "crime_reference": self.crime_reference.data or None,
                "alcohol_involved": self.alcohol_involved.data}

    def fill_from(self, offence) -> None:
        self.offence_on.data = offence.offence_on
        self.offence_type.data = offence.offence_type
        self.outcome.data = offence.outcome or ""
        self.crime_reference.data = offence.crime_reference or ""
        self.alcohol_involved.data = offence.alcohol_involved


class CorrectOffenceForm(OffenceForm):
    version = version_field()
    submit = SubmitField("Save correction", widget=GovSubmitInput())


class RemoveOffenceForm(FlaskForm):
    reason = words("Why are you removing it?", limit=REASON_LIMIT, noun="Why you are removing it",
                   missing="Enter why you are removing this offence", multiline=True,
                   description="For example, recorded for the wrong person, or recorded twice")
    version = version_field()
    submit = SubmitField("Remove offence", widget=GovSubmitInput())


class UnitCostOfCrimeForm(FlaskForm):
    cost_gbp = MoneyField("Cost of one offence, in pounds", noun="Cost of one offence", limit=UNIT_COST_LIMIT,
                          description="For example, 5930 or 5930.50")
    price_year = StringField("Price year", widget=GovTextInput(), filters=[stripped],
                             description="The financial year whose prices the figure is in, for example 2015-16",
                             validators=[DataRequired(message="Enter the price year, like 2015-16"),
                                         Length(max=7, message="Price year must be a financial year written like "
                                                               "2015-16")])
    source = words("Source", limit=SOURCE_LIMIT, missing="Enter where the figure comes from", multiline=True,
                   description="The publication and table the figure comes from, or how the partnership "
                               "worked it out")
    version = version_field()
    submit = SubmitField("Save figure", widget=GovSubmitInput())


class RevertUnitCostForm(FlaskForm):
    version = version_field()
    submit = SubmitField("Use the published figure again", widget=GovSubmitInput())
