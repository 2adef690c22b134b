"""Client forms, each owning its GOV.UK-style messages."""
from govuk_frontend_wtf.wtforms_widgets import (GovCheckboxInput, GovRadioInput, GovSelect, GovSubmitInput,
                                                GovTextArea, GovTextInput)
from wtforms import BooleanField, HiddenField, RadioField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError

from iom.clock import today_in_london
from iom.clients.models import (ALCOHOL, AUDIT_C_HIGHEST, AUDIT_C_LOWEST, AUDIT_C_QUESTIONS, COHORT_TIERS, EXIT_REASONS,
                                PROGRAMMES, RISK_LEVELS, STRANDS)
from iom.form_fields import (FlaskForm, UKDateField, choices, database_id, normalise_pnc_id, one_of, pnc_id_problem,
                            version_field)


def _pnc_check(form, field):
    problem = pnc_id_problem(field.data)
    if problem:
        raise ValidationError(problem)


class ClientDetailsForm(FlaskForm):
    """The person's details, shared by adding and editing."""

    given_name = StringField("Given name", widget=GovTextInput(),
                             validators=[DataRequired(message="Enter their given name"),
                                         Length(max=100, message="Given name must be 100 characters or fewer")])
    family_name = StringField("Family name", widget=GovTextInput(),
                              validators=[DataRequired(message="Enter their family name"),
                                          Length(max=100, message="Family name must be 100 characters or fewer")])
    date_of_birth = UKDateField("Date of birth", required=False, past=True,
                                description="For example, 27 3 1990. Leave blank if not known.")
    pnc_id = StringField("PNC ID", widget=GovTextInput(), validators=[_pnc_check],
                         description="For example, 11/123456H. Leave blank if they have none.",
                         filters=[normalise_pnc_id])
    ward = StringField("Ward", widget=GovTextInput(), filters=[lambda value: (value or "").strip() or None],
                       validators=[Length(max=100, message="Ward must be 100 characters or fewer")])
    programme = one_of("Programme they came from", PROGRAMMES, "Select the programme they came from")
    alcohol_related = one_of("Is their offending alcohol-related?", ALCOHOL,
                             "Select whether their offending is alcohol-related")
    risk_level = SelectField("Risk level", widget=GovSelect(), choices=choices(RISK_LEVELS, blank="Not assessed"),
                             validators=[Optional()])
    tier = SelectField("Cohort tier", widget=GovSelect(), choices=choices(COHORT_TIERS, blank="Not set"), default="",
                       invalid_choice_message="Select the cohort tier: fixed, flex or free, or not set",
                       description="The 2020 national IOM strategy's tiers: Fixed for the neighbourhood crime cohort "
                                   "every area manages, Flex for the partnership's own local priorities, Free for "
                                   "others it chooses to manage. Leave it not set if not decided.")
    offender_manager_id = SelectField("Offender manager", widget=GovSelect(), choices=[],
                                      validators=[Optional()])

    def details(self) -> dict:
        return {
            "given_name": self.given_name.data.strip(),
            "family_name": self.family_name.data.strip(),
            "date_of_birth": self.date_of_birth.data,
            "pnc_id": self.pnc_id.data,
            "ward": self.ward.data,
            "programme": self.programme.data,
            "alcohol_related": self.alcohol_related.data,
            "risk_level": self.risk_level.data or None,
            "tier": self.tier.data or None,
            # blank, or only spaces (which Optional lets through unchecked), means not assigned
            "offender_manager_id": database_id(self.offender_manager_id.data),
        }


class AddClientForm(ClientDetailsForm):
    strand = one_of("Strand", STRANDS, "Select the strand they are joining")
    joined_on = UKDateField("Date adopted onto the scheme", not_future=True)
    watch_entry = HiddenField()
    # shown only when the person may already be a client: the records the user saw, and their answer
    duplicate_ids = HiddenField()
    different_people = BooleanField("These are different people", widget=GovCheckboxInput(),
                                    description="I have checked the records above and this person is not any of them")
    submit = SubmitField("Add client", widget=GovSubmitInput())

    def confirmed_different(self) -> list[int]:
        """The ids of the records the user confirmed are other people (none unless ticked)."""
        if not self.different_people.data:
            return []
        return [number for part in (self.duplicate_ids.data or "").split(",") if (number := database_id(part))]


class EditClientForm(ClientDetailsForm):
    version = version_field()
    submit = SubmitField("Save changes", widget=GovSubmitInput())


class AdoptForm(FlaskForm):
    strand = one_of("Strand", STRANDS, "Select the strand they are joining")
    joined_on = UKDateField("Date adopted onto the scheme", not_future=True)
    submit = SubmitField("Adopt onto the scheme", widget=GovSubmitInput())


class LeaveForm(FlaskForm):
    left_on = UKDateField("Date they left the scheme",
                          description="They still count as on the scheme on this day. For example, 31 3 2012")
    exit_reason = one_of("Why did they leave?", EXIT_REASONS, "Select why they left the scheme")
    version = version_field()
    submit = SubmitField("Record leaving", widget=GovSubmitInput())


class CaseNoteForm(FlaskForm):
    body = TextAreaField("Add a case note", widget=GovTextArea(),
                         validators=[DataRequired(message="Enter the note"),
                                     Length(max=10_000, message="Note must be 10,000 characters or fewer")])
    submit = SubmitField("Add note", widget=GovSubmitInput())


class PairForm(FlaskForm):
    """Two records named by reference, for marking them as different people."""

    first = HiddenField(validators=[DataRequired(message="Choose the two records")])
    second = HiddenField(validators=[DataRequired(message="Choose the two records")])
    submit = SubmitField("Not the same person", widget=GovSubmitInput())


class MergeForm(PairForm):
    keep = RadioField("Which record do you want to keep?", widget=GovRadioInput(), choices=[],
                      validators=[InputRequired(message="Select the record to keep")],
                      description="Everything recorded on the other record moves to the one you keep. The other "
                                  "record's reference will open the one you keep.")
    submit = SubmitField("Merge records", widget=GovSubmitInput())


def _audit_c_question(number: int, question: str) -> RadioField:
    text, answers = AUDIT_C_QUESTIONS[question]
    missing = f"Select an answer to question {number}: {text}"
    return RadioField(f"{number}. {text}", widget=GovRadioInput(),
                      choices=choices({str(score): f"{label} (scores {score})" for score, label in answers.items()}),
                      invalid_choice_message=f"The answer to question {number} must be one of its five answers, "
                                             f"scored {AUDIT_C_LOWEST} to {AUDIT_C_HIGHEST}",
                      validators=[InputRequired(message=missing)])


class AlcoholScreeningForm(FlaskForm):
    """An AUDIT-C screening: the day and the three questions, each answer scored 0 to 4."""

    screened_on = UKDateField("Date of the screening", default=today_in_london, not_future=True,
                              description="The day the questions were asked. For example, 27 3 2011")
    drinking_frequency = _audit_c_question(1, "drinking_frequency")
    typical_units = _audit_c_question(2, "typical_units")
    heavy_drinking_frequency = _audit_c_question(3, "heavy_drinking_frequency")
    submit = SubmitField("Record screening", widget=GovSubmitInput())

    def details(self) -> dict:
        return {"screened_on": self.screened_on.data,
                **{question: self[question].data for question in AUDIT_C_QUESTIONS}}

    def fill_from(self, screening) -> None:
        self.screened_on.data = screening.screened_on
        for question in AUDIT_C_QUESTIONS:
            self[question].data = str(getattr(screening, question))


class CorrectAlcoholScreeningForm(AlcoholScreeningForm):
    version = version_field()
    submit = SubmitField("Save correction", widget=GovSubmitInput())
