"""Form fields shared by every area: the base form, the GOV.UK date input, money, choices and PNC
ids, guarded."""
import re
from datetime import date
from decimal import Decimal

from flask_wtf import FlaskForm as _FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovDateInput, GovRadioInput, GovTextArea, GovTextInput
from wtforms import Field, HiddenField, RadioField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, ValidationError

from iom.money import PAYMENT_LIMIT, MoneyError, parse_gbp

MONTHS = {name: number for number, name in enumerate(
    ["january", "february", "march", "april", "may", "june", "july", "august", "september",
     "october", "november", "december"], start=1)}


DATABASE_ID_LIMIT = 2**31 - 1

# Control characters nobody types: PostgreSQL refuses NUL outright, and the others corrupt
# exports and screens. A multi-line box (a note) keeps tab, line feed and carriage return.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f-\x9f]")
CONTROL_CHARACTERS_IN_TEXT = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def has_control_characters(text: str, *, multiline: bool = False) -> bool:
    pattern = CONTROL_CHARACTERS_IN_TEXT if multiline else CONTROL_CHARACTERS
    return bool(pattern.search(text))


def control_character_message(label: str) -> str:
    return (f"{label} must not contain hidden special characters, such as NUL or other control "
            "characters. Type it again rather than pasting it")


class FlaskForm(_FlaskForm):
    """Flask-WTF's form, for every form in the service: a field holding a control character is
    refused with its own message before any other check runs (so no check sends it to the
    database), and nothing is saved."""

    def validate(self, extra_validators=None) -> bool:
        refused = {}
        for field in self:
            multiline = isinstance(field, TextAreaField)
            if any(isinstance(value, str) and has_control_characters(value, multiline=multiline)
                   for value in (field.raw_data or ())):
                refused[field] = control_character_message(field.label.text)
        if not refused:
            return super().validate(extra_validators)
        self._errors = None
        self.form_errors = []
        for field in self:
            field.errors = [refused[field]] if field in refused else []
        return False


WHOLE_NUMBER = re.compile(r"^-?\d+$")
# More digits than any setting needs: refused as too large before int() (which refuses 4,300 digits
# and more outright) is asked to read it.
WHOLE_NUMBER_DIGITS = 15


def whole_number(noun: str, example: int, smallest: int, largest: int, blank: str):
    """A validator for a whole number typed in a text box (GOV.UK: type=text, inputmode=numeric).
    Spaces and thousands commas are allowed; the number is left on field.number."""
    def check(form, field):
        field.number = None
        text = re.sub(r"[\s,]", "", field.data or "")
        if not text:
            raise ValidationError(blank)
        if not WHOLE_NUMBER.match(text):
            raise ValidationError(f"{noun} must be a whole number, like {example}")
        if len(text.lstrip("-")) > WHOLE_NUMBER_DIGITS:
            raise ValidationError(f"{noun} must be {smallest} or more" if text.startswith("-")
                                  else f"{noun} must be {largest:,} or fewer")
        number = int(text)
        if number < smallest:
            raise ValidationError(f"{noun} must be {smallest} or more")
        if number > largest:
            raise ValidationError(f"{noun} must be {largest:,} or fewer")
        field.number = number
    return check


def database_id(value) -> int | None:
    """A number that can name a database row, else None: '99999999999999999999' is no row, not a crash."""
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if 0 < number <= DATABASE_ID_LIMIT else None


def choices(mapping: dict[str, str], blank: str | None = None) -> list[SelectChoice]:
    """WTForms choices from a {value: label} mapping, optionally led by a blank choice."""
    items = [SelectChoice(value, label) for value, label in mapping.items()]
    return ([SelectChoice("", blank)] if blank is not None else []) + items


class NeededWhen:
    """A box that must be filled when another field has a given answer: Other needs its words, a
    rejection its reason. Put it after the field's other checks."""

    def __init__(self, other: str, answer: str, message: str):
        self.other, self.answer, self.message = other, answer, message

    def __call__(self, form, field):
        if form[self.other].data == self.answer and not field.data:
            raise ValidationError(self.message)


OUT_OF_DATE = "This page is out of date. Reload it and try again"


def version_field():
    """The hidden version of the record the form was opened on: a save over a newer one is refused."""
    return HiddenField(validators=[DataRequired(message=OUT_OF_DATE)])


def one_of(label: str, answers: dict[str, str], missing: str, **kwargs):
    """GOV.UK radios for one answer from {value: label}, with the message for no answer ("Select
    the strand they are joining")."""
    return RadioField(label, widget=GovRadioInput(), choices=choices(answers),
                      validators=[InputRequired(message=missing)], **kwargs)


def stripped(value) -> str:
    """A box's words without the spaces either side; an absent box is empty."""
    return (value or "").strip()


def words(label: str, *, limit: int, missing: str | None = None, noun: str | None = None,
          description: str = "", needed_when: tuple[str, str, str] | None = None, multiline: bool = False):
    """A box of the person's own words, stripped, with its length message ("Notes must be 2,000
    characters or fewer"). missing makes it required with that message; needed_when=(field,
    answer, message) makes it required only when another field has that answer."""
    validators = [DataRequired(message=missing)] if missing else []
    validators.append(Length(max=limit, message=f"{noun or label} must be {limit:,} characters or fewer"))
    if needed_when:
        validators.append(NeededWhen(*needed_when))
    field, widget = (TextAreaField, GovTextArea()) if multiline else (StringField, GovTextInput())
    return field(label, widget=widget, filters=[stripped], description=description, validators=validators)


class UKDateInput(GovDateInput):
    """The GOV.UK date input, pre-filled the way people write a date: 1 12 2026, not 01 12 2026.
    (GOV.UK's own hint reads "For example, 27 3 2007"; the library pads with zeros.)
    Every date box in the service is this one widget, so every pre-filled date looks the same."""

    def map_gov_params(self, field, **kwargs):
        params = super().map_gov_params(field, **kwargs)
        if field.raw_data is None and field.data:
            for item, value in zip(params["items"], date_boxes(field.data)):
                item["value"] = value
        return params


def date_boxes(day: date) -> tuple[str, str, str]:
    """A date as the day, month and year boxes show it when pre-filled: ('1', '12', '2026')."""
    return str(day.day), str(day.month), str(day.year)


class UKDateField(Field):
    """Day, month and year boxes (GOV.UK date input). Missing boxes in a POST are an error
    message, never a crash; messages follow the GOV.UK pattern for dates."""

    widget = UKDateInput()

    def __init__(self, label=None, validators=None, *, required: bool = True, past: bool = False,
                 not_future: bool = False, **kwargs):
        super().__init__(label, validators, **kwargs)
        self.required = required
        self.past = past
        self.not_future = not_future

    @property
    def noun(self) -> str:
        return self.label.text[0].lower() + self.label.text[1:]

    def process_formdata(self, valuelist):
        # A tampered or partial POST may send fewer than three boxes: pad, never unpack blindly.
        values = [str(value).strip() for value in (valuelist or [])][:3]
        self.raw_data = values + [""] * (3 - len(values))
        self.data = None
        self._parse_error = None
        day, month, year = self.raw_data
        if not any(self.raw_data):
            return
        missing = [name for name, value in zip(("day", "month", "year"), self.raw_data) if not value]
        if missing:
            self._parse_error = f"{self.label.text} must include a {' and a '.join(missing)}"
            return
        if month.lower() in MONTHS:
            month = str(MONTHS[month.lower()])
        elif month.lower()[:3] in {name[:3] for name in MONTHS}:
            month = str(next(n for name, n in MONTHS.items() if name[:3] == month.lower()[:3]))
        if not (day.isdigit() and month.isdigit() and year.isdigit()):
            self._parse_error = f"{self.label.text} must be a real date"
            return
        if len(year) != 4:
            self._parse_error = "Year must include 4 numbers"
            return
        try:
            self.data = date(int(year), int(month), int(day))
        except (ValueError, OverflowError):  # 31/02, or a 20-digit day
            self._parse_error = f"{self.label.text} must be a real date"

    def _value(self):
        return self.data.isoformat() if self.data else ""

    def pre_validate(self, form):
        if getattr(self, "_parse_error", None):
            raise ValidationError(self._parse_error)
        if self.data is None:
            if self.required:
                raise ValidationError(f"Enter {self.noun}")
            return
        from iom.clock import today_in_london
        today = today_in_london()
        if self.past and self.data >= today:
            raise ValidationError(f"{self.label.text} must be in the past")
        if self.not_future and self.data > today:
            raise ValidationError(f"{self.label.text} must be today or in the past")
        if self.data.year < 1900:
            raise ValidationError(f"{self.label.text} must be after 1900")


class MoneyField(StringField):
    """Pounds and pence typed as text ('70', '£70.50', '1,000.00'), read as a Decimal, never a float."""

    widget = GovTextInput()

    def __init__(self, label=None, validators=None, *, noun: str = "Amount", allow_zero: bool = False,
                 limit: Decimal = PAYMENT_LIMIT, **kwargs):
        super().__init__(label, validators, **kwargs)
        self.noun = noun
        self.allow_zero = allow_zero
        self.limit = limit
        self._parse_error = None

    def process_formdata(self, valuelist):
        self.raw_data = [str(value) for value in (valuelist or [])][:1]
        self.data = None
        self._parse_error = None
        text = self.raw_data[0] if self.raw_data else ""
        try:
            self.data = parse_gbp(text, noun=self.noun, allow_zero=self.allow_zero, limit=self.limit)
        except MoneyError as error:
            self._parse_error = str(error)

    def _value(self):
        if self.raw_data:
            return self.raw_data[0]
        return f"{self.data:.2f}" if isinstance(self.data, Decimal) else ""

    def pre_validate(self, form):
        if self._parse_error:
            raise ValidationError(self._parse_error)
        if self.data is None:
            raise ValidationError(f"Enter the {self.noun.lower()}")


def form_errors(form, params=None):
    """govuk-frontend-wtf's error summary list, with date errors linking to the day box
    (GOV.UK: the summary links to the first box of a date input)."""
    from govuk_frontend_wtf.main import wtforms_errors
    summary = wtforms_errors(form, params or {})
    dates = {f"#{field.id}": f"#{field.id}-day" for field in form if isinstance(field, UKDateField)}
    for item in summary["errorList"]:
        item["href"] = dates.get(item["href"], item["href"])
    return summary


PNC_LETTERS = "ZABCDEFGHJKLMNPQRTUVWXY"
PNC_PATTERN = re.compile(r"^(\d{2}|\d{4})/(\d{1,7})([A-Z])$")


def normalise_pnc_id(text: str | None) -> str | None:
    text = re.sub(r"\s+", "", (text or "")).upper()
    return text or None


def pnc_id_problem(text: str | None) -> str | None:
    """Why a PNC id is not valid; None when it is (or is blank).

    Format: a two-digit year (a four-digit year is also accepted), a slash, up to 7 digits of
    serial number and a check letter: (year's last two digits followed by the 7-digit serial) mod 23."""
    pnc = normalise_pnc_id(text)
    if pnc is None:
        return None
    match = PNC_PATTERN.match(pnc)
    if not match:
        return "Enter a PNC ID in the correct format, like 11/123456H: a two-digit year, a slash, the serial number and a check letter"
    year, serial, letter = match.groups()
    expected = PNC_LETTERS[int(year[-2:] + serial.zfill(7)) % 23]
    if letter != expected:
        return "Enter a PNC ID exactly as it appears on the record: the check letter does not match the numbers"
    return None
