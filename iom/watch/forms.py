"""Watch list forms, each owning its GOV.UK-style messages."""
from iom.clock import today_in_london
from iom.form_fields import FlaskForm, stripped, version_field, words
from govuk_frontend_wtf.wtforms_widgets import GovSubmitInput, GovTextInput
from wtforms import StringField, SubmitField
from wtforms.validators import DataRequired, Length, ValidationError

from iom.form_fields import UKDateField, one_of, normalise_pnc_id, pnc_id_problem
from iom.watch.operations import CLOSING_OUTCOMES


def _pnc_check(form, field):
    problem = pnc_id_problem(field.data)
    if problem:
        raise ValidationError(problem)



class WatchEntryForm(FlaskForm):
    """Who they are, who is dealing with them and why: shared by adding and editing."""

    given_name = StringField("Given name", widget=GovTextInput(), filters=[stripped],
                             validators=[DataRequired(message="Enter their given name"),
                                         Length(max=100, message="Given name must be 100 characters or fewer")])
    family_name = StringField("Family name", widget=GovTextInput(), filters=[stripped],
                              validators=[DataRequired(message="Enter their family name"),
                                          Length(max=100, message="Family name must be 100 characters or fewer")])
    date_of_birth = UKDateField("Date of birth", required=False, past=True,
                                description="For example, 27 3 1990. Leave blank if not known.")
    pnc_id = StringField("PNC ID", widget=GovTextInput(), validators=[_pnc_check], filters=[normalise_pnc_id],
                         description="For example, 11/123456H. Leave blank if they have none or it is not known.")
    partner_agency = words("Partner agency", limit=120, missing="Enter the partner agency dealing with them",
                           description="Who is dealing with them, for example Youth Offending Service")
    reason = words("Why are they on the watch list?", limit=5_000, noun="Reason", multiline=True,
                   missing="Enter why they are on the watch list")
    added_on = UKDateField("Date added to the watch list", default=today_in_london, not_future=True, description="For example, 27 3 2011")
    next_review_on = UKDateField("Next review date", required=False,
                                 description="For example, 27 6 2011. Leave blank if no review is planned.")
    submit = SubmitField("Add to watch list", widget=GovSubmitInput())

    def validate_next_review_on(self, field):
        if field.errors or field.data is None or self.added_on.data is None:
            return
        if field.data < self.added_on.data:
            raise ValidationError("Next review date must be the same as or after the date added to the watch list")

    def details(self) -> dict:
        return {
            "given_name": self.given_name.data,
            "family_name": self.family_name.data,
            "date_of_birth": self.date_of_birth.data,
            "pnc_id": self.pnc_id.data,
            "partner_agency": self.partner_agency.data,
            "reason": self.reason.data,
            "added_on": self.added_on.data,
            "next_review_on": self.next_review_on.data,
        }


class EditWatchEntryForm(WatchEntryForm):
    version = version_field()
    submit = SubmitField("Save changes", widget=GovSubmitInput())


class CloseWatchEntryForm(FlaskForm):
    outcome = one_of("Outcome", CLOSING_OUTCOMES, "Select the outcome")
    closed_on = UKDateField("Date closed", not_future=True, description="For example, 27 3 2011")
    notes = words("Notes", limit=5_000, multiline=True, description="What happened. Needed if the outcome is Other.",
                  needed_when=("outcome", "other", "Enter what the outcome was"))
    version = version_field()
    submit = SubmitField("Close entry", widget=GovSubmitInput())


class ReviewWatchEntryForm(FlaskForm):
    next_review_on = UKDateField("Next review date", description="For example, 27 6 2011")
    notes = words("What did the review find?", limit=5_000, noun="Notes", multiline=True,
                  description="Optional. Kept in the entry's history.")
    version = version_field()
    submit = SubmitField("Record review", widget=GovSubmitInput())

