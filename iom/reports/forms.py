"""Forms for the review's inputs, each owning its GOV.UK-style messages."""
import re
from decimal import Decimal

from iom.form_fields import FlaskForm, version_field
from govuk_frontend_wtf.wtforms_widgets import GovRadioInput, GovSelect, GovSubmitInput, GovTextArea, GovTextInput
from wtforms import HiddenField, RadioField, SelectField, SelectMultipleField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from iom.figures.months import BadPeriod, parse_month
from iom.form_fields import choices, one_of, words
from iom.payments.forms import MoneyField
from iom.reports.models import PAPER_SECTIONS, RATINGS
from iom.reports.operations import PAPER_TEXT_LIMIT, SCHEME_COST_LIMIT
from iom.reports.pack import SECTIONS

AMOUNT = re.compile(r"^\d{1,9}(\.\d{1,2})?$")
PERCENT = re.compile(r"^\d{1,3}(\.\d{1,2})?$")


def _text(value):
    return "" if value is None else str(value).strip()


def _amount_text(value):
    return re.sub(r"[£,\s]", "", _text(value))


def _percent_text(value):
    return re.sub(r"[%\s]", "", _text(value))


def self_assessment_form(questions) -> type[FlaskForm]:
    """A form with a rating, evidence and version for each question asked (fields named by question id)."""

    class SelfAssessmentForm(FlaskForm):
        submit = SubmitField("Save the self-assessment", widget=GovSubmitInput())

        def rows(self):
            return [(question, self[f"rating_{question.id}"], self[f"evidence_{question.id}"],
                     self[f"version_{question.id}"]) for question in questions]

    for question in questions:
        setattr(SelfAssessmentForm, f"rating_{question.id}", RadioField(
            f"Rating: {question.principle}", widget=GovRadioInput(), choices=choices(RATINGS),
            validators=[Optional()], validate_choice=True))
        setattr(SelfAssessmentForm, f"evidence_{question.id}", TextAreaField(
            "Evidence", widget=GovTextArea(), filters=[_text],
            description="What shows this rating: meetings, agreements, figures. Do not name or describe any client.",
            validators=[Length(max=5_000, message=f"Evidence for '{question.principle}' must be 5,000 characters "
                                                  "or fewer")]))
        setattr(SelfAssessmentForm, f"version_{question.id}", HiddenField())
    return SelfAssessmentForm


class QuestionForm(FlaskForm):
    principle = words("Principle", limit=200, missing="Enter the principle",
                      description="The IOM key principle the question tests")
    text = words("Question", limit=5_000, missing="Enter the question", multiline=True)
    position = StringField("Order", widget=GovTextInput(), filters=[_text],
                           description="Questions are asked in this order, lowest first",
                           validators=[DataRequired(message="Enter the order, a whole number from 0 to 999")])
    is_active = one_of("Ask this question?", {"yes": "Yes", "no": "No, retire it (answers already given are kept)"},
                       "Select whether to ask this question", default="yes")
    version = HiddenField()
    submit = SubmitField("Save question", widget=GovSubmitInput())

    def validate_position(self, field):
        if not field.data.isdigit() or not 0 <= int(field.data) <= 999:
            raise ValidationError("Order must be a whole number from 0 to 999")

    def fill(self, question) -> None:
        """Show a saved question: its order and 'ask it' as this form writes them."""
        self.position.data = str(question.position)
        self.is_active.data = "yes" if question.is_active else "no"

    def details(self) -> dict:
        return {"principle": self.principle.data, "text": self.text.data, "position": int(self.position.data),
                "is_active": self.is_active.data == "yes"}


class UnitCostForm(FlaskForm):
    crime_type = words("Crime type", limit=120, missing="Enter the crime type")
    cost_gbp = StringField("Cost of one crime, in pounds", widget=GovTextInput(), filters=[_amount_text],
                           description="For example, 870 or 870.50",
                           validators=[DataRequired(message="Enter the cost of one crime")])
    share_percent = StringField("Share of local serious acquisitive crime, as a percentage", widget=GovTextInput(),
                                filters=[_percent_text],
                                description="How much of the area's serious acquisitive crime is this type, for "
                                            "example 25. Enter 0 to leave it out of the estimate.",
                                validators=[DataRequired(message="Enter the share, or 0")])
    source = TextAreaField("Source", widget=GovTextArea(), filters=[_text],
                           description="The publication and table the cost comes from",
                           validators=[DataRequired(message="Enter where the cost comes from"),
                                       Length(max=5_000, message="Source must be 5,000 characters or fewer")])
    price_year = StringField("Price year", widget=GovTextInput(), filters=[_text],
                             description="The year whose prices the cost is in, for example 2015/16",
                             validators=[DataRequired(message="Enter the price year, like 2015/16"),
                                         Length(max=16, message="Price year must be 16 characters or fewer")])
    version = HiddenField()
    submit = SubmitField("Save unit cost", widget=GovSubmitInput())

    def validate_cost_gbp(self, field):
        if not AMOUNT.match(field.data or ""):
            raise ValidationError("Cost must be an amount in pounds and pence, like 870 or 870.50")

    def validate_share_percent(self, field):
        if not PERCENT.match(field.data or "") or Decimal(field.data) > 100:
            raise ValidationError("Share must be a percentage from 0 to 100, like 25 or 12.5")

    def fill(self, cost) -> None:
        """Show a saved unit cost: pounds with two decimals, the share without trailing zeros."""
        self.cost_gbp.data = f"{cost.cost_gbp:.2f}"
        self.share_percent.data = f"{cost.share_percent:.2f}".rstrip("0").rstrip(".")

    def details(self) -> dict:
        return {"crime_type": self.crime_type.data, "cost_gbp": Decimal(self.cost_gbp.data),
                "share_percent": Decimal(self.share_percent.data),
                "source": self.source.data, "price_year": self.price_year.data}


class MonthField(StringField):
    """A month written YYYY-MM; .month holds its first day."""

    def __init__(self, label, **kwargs):
        super().__init__(label, widget=GovTextInput(), filters=[_text], **kwargs)
        self.month = None

    def pre_validate(self, form):
        self.month = None
        if not self.data:
            raise ValidationError(f"Enter the {self.label.text.lower()}")
        try:
            self.month = parse_month(self.data)
        except BadPeriod:
            raise ValidationError(f"{self.label.text} must be a month written like 2010-04") from None


class BaselineForm(FlaskForm):
    baseline_from = MonthField("First month", description="For example, 2010-04 for April 2010")
    baseline_to = MonthField("Last month", description="For example, 2011-03 for March 2011")
    version = HiddenField()
    submit = SubmitField("Save baseline", widget=GovSubmitInput())


class SchemeCostForm(FlaskForm):
    staff_costs_gbp = MoneyField("Staff costs", noun="Staff costs", allow_zero=True, limit=SCHEME_COST_LIMIT,
                                 description="What the scheme's staff cost in the year: the officers', managers' and "
                                             "others' time on IOM work, in pounds. For example, 185,000")
    other_costs_gbp = MoneyField("Other costs", noun="Other costs", allow_zero=True, limit=SCHEME_COST_LIMIT,
                                 description="Anything else the scheme paid for in the year, such as premises, "
                                             "travel or commissioned services. Enter 0 if none")
    source = TextAreaField("Where the costs come from", widget=GovTextArea(), filters=[_text],
                           description="So the reviewer can check them: for example, the partnership's budget "
                                       "report for the year, or how staff time was worked out. Do not name anyone.",
                           validators=[DataRequired(message="Enter where the costs come from, for example the "
                                                            "partnership's budget for the year"),
                                       Length(max=5_000, message="Where the costs come from must be 5,000 "
                                                                 "characters or fewer")])
    version = HiddenField()
    submit = SubmitField("Save the costs", widget=GovSubmitInput())


class RemoveBaselineForm(FlaskForm):
    version = version_field()
    submit = SubmitField("Remove baseline", widget=GovSubmitInput())


# --- the alcohol discussion paper ---------------------------------------------------------------

class AlcoholPaperForm(FlaskForm):
    """The manager's own sections of a draft of the alcohol discussion paper."""

    introduction = words("Introduction", limit=PAPER_TEXT_LIMIT, multiline=True,
                         description="Why the partnership is looking at alcohol, and what this paper covers")
    discussion = words("Discussion", limit=PAPER_TEXT_LIMIT, multiline=True,
                       description="What the figures above say about the part alcohol plays in the cohort's "
                                   "offending, and their limits")
    interventions = words("Proposed interventions and services", limit=PAPER_TEXT_LIMIT, multiline=True,
                          description="The interventions or services the partnership needs, and who would "
                                      "provide them")
    version = version_field()
    submit = SubmitField("Save draft", widget=GovSubmitInput())

    def details(self) -> dict:
        return {name: self[name].data for name in PAPER_SECTIONS}


class StartPaperDraftForm(FlaskForm):
    submit = SubmitField("Start a new draft", widget=GovSubmitInput())


class PublishPaperForm(FlaskForm):
    version = version_field()
    submit = SubmitField("Publish this version", widget=GovSubmitInput())


# --- the review designed by the outside reviewer --------------------------------------------------------

ORDER_TEXT = re.compile(r"^\d{1,2}$")


class _ReviewChange(FlaskForm):
    """What every reviewer's change carries: the version the page showed, and whether it said that saving
    starts a new version (the one it showed being signed off)."""

    version = HiddenField()
    starts_new = HiddenField()


class ReviewSectionsForm(_ReviewChange):
    """The sections the reviewer includes, each with its place in the order, and their organisation."""

    organisation = words("Your organisation", limit=200,
                         description="The organisation carrying out the review, for the report's cover")
    sections = SelectMultipleField("Sections to include", choices=[], validate_choice=False)
    submit = SubmitField("Save the sections", widget=GovSubmitInput())

    def order_field(self, code: str):
        return self[f"order_{code}"]

    def validate_sections(self, field):
        used: dict[int, str] = {}
        for code, (title, *_) in SECTIONS.items():
            text = _text(self.order_field(code).data)
            if not text:
                continue
            if not ORDER_TEXT.match(text) or not 1 <= int(text) <= 99:
                raise ValidationError(f"Order for {title} must be a whole number from 1 to 99")
            if code in (field.data or []) and int(text) in used:
                raise ValidationError(f"{used[int(text)]} and {title} both have the order {text}. "
                                      "Give each section its own number")
            if code in (field.data or []):
                used[int(text)] = title

    def chosen(self) -> list[str]:
        """The sections ticked, in the order given (a section with no number after those with one, in
        the pack's order); anything else posted is kept, for the operation to refuse."""
        codes = list(self.sections.data or [])
        place = {code: index for index, code in enumerate(SECTIONS)}

        def key(item):
            index, code = item
            text = _text(self.order_field(code).data) if code in SECTIONS else ""
            number = int(text) if ORDER_TEXT.match(text) else 100
            return number, place.get(code, 1000 + index)
        return [code for _, code in sorted(enumerate(codes), key=key)]


for _code, (_title, *_) in SECTIONS.items():
    setattr(ReviewSectionsForm, f"order_{_code}", StringField(f"Order for {_title}", filters=[_text]))


class ReviewFindingsForm(_ReviewChange):
    findings = words("Findings", limit=10_000, multiline=True,
                     description="What you found in this section. Do not name or describe any client.")
    recommendations = words("Recommendations", limit=10_000, multiline=True,
                            description="What you recommend the partnership does")
    submit = SubmitField("Save findings and recommendations", widget=GovSubmitInput())


class ReviewQuestionForm(_ReviewChange):
    question = words("Your question", limit=10_000, missing="Enter your question", multiline=True,
                     description="The IOM manager answers it in the service")
    section = SelectField("Which section is it about?", widget=GovSelect(),
                          choices=choices({code: title for code, (title, *_) in SECTIONS.items()},
                                          blank="The whole review"), validate_choice=False)
    submit = SubmitField("Raise the question", widget=GovSubmitInput())


class ReviewAnswerForm(FlaskForm):
    answer = words("Your answer", limit=10_000, missing="Enter your answer", multiline=True,
                   description="The reviewer reads it, and it goes in the report. Do not name or describe any "
                               "client.")
    submit = SubmitField("Save the answer", widget=GovSubmitInput())


class ReviewSignOffForm(FlaskForm):
    version = HiddenField()
    submit = SubmitField("Sign off the review", widget=GovSubmitInput())


class DownloadForm(FlaskForm):
    """A download is a POST with the form's CSRF token, so no link on another site can start one."""

    review_version = HiddenField()
