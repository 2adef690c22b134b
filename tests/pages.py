"""Reading a rendered page the way the tests need it: one parser for every area's tests."""
from html.parser import HTMLParser


class Page(HTMLParser):
    """Title, GOV.UK error summary and inline error messages (by id), success banners, inputs
    (with their form's action), input values, textareas, selected options and table rows."""

    def __init__(self, response):
        super().__init__(convert_charrefs=True)
        self.title = ""
        self.summary_errors: list[str] = []
        self.field_errors: dict[str, str] = {}
        self.banners: list[str] = []
        self.inputs: list[dict] = []
        self.values: dict[str, list[str]] = {}       # every value given under a name
        self.input_values: dict[str, str] = {}      # the last value given under a name
        self.textareas: dict[str, str] = {}
        self.selected: dict[str, str] = {}
        self.rows: list[list[str]] = []
        self.form_fields: dict[str, dict[str, list[str]]] = {}   # form action -> name -> values offered
        self._form_action = None
        self._capture = None  # [kind, key, end tag, text parts]
        self._in_summary_list = False
        self._select = None
        self._in_tbody = False
        self._row = None
        self._cell = None
        self.feed(response.get_data(as_text=True))

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        classes = (attrs.get("class") or "").split()
        if tag in ("input", "textarea", "select") and attrs.get("name") and self._form_action is not None:
            offered = self.form_fields.setdefault(self._form_action, {}).setdefault(attrs["name"], [])
            if tag == "input" and attrs.get("type") not in ("submit", "button"):
                offered.append(attrs.get("value") or "")
        if tag == "option" and self._select and self._form_action is not None:
            self.form_fields[self._form_action].setdefault(self._select, []).append(attrs.get("value") or "")
        if tag == "form":
            self._form_action = attrs.get("action", "")
        elif tag == "input":
            self.inputs.append(dict(attrs, _form=self._form_action))
            if attrs.get("name"):
                self.values.setdefault(attrs["name"], []).append(attrs.get("value") or "")
                self.input_values[attrs["name"]] = attrs.get("value")
        elif tag == "title":
            self._capture = ["title", None, "title", []]
        elif tag == "ul" and "govuk-error-summary__list" in classes:
            self._in_summary_list = True
        elif tag == "a" and self._in_summary_list:
            self._capture = ["summary", attrs.get("href"), "a", []]
        elif tag == "p" and "govuk-error-message" in classes:
            self._capture = ["field", attrs.get("id"), "p", []]
        elif tag == "p" and "govuk-notification-banner__heading" in classes:
            self._capture = ["banner", None, "p", []]
        elif tag == "textarea":
            self._capture = ["textarea", attrs.get("name"), "textarea", []]
        elif tag == "select":
            self._select = attrs.get("name")
        elif tag == "option" and self._select and "selected" in attrs:
            self.selected[self._select] = attrs.get("value")
        elif tag == "tbody":
            self._in_tbody = True
        elif tag == "tr" and self._in_tbody:
            self._row = []
        elif tag == "td" and self._row is not None:
            self._cell = []
        elif tag == "br" and self._cell is not None:
            self._cell.append(" ")

    def handle_endtag(self, tag):
        if tag == "form":
            self._form_action = None
        elif tag == "ul":
            self._in_summary_list = False
        elif tag == "select":
            self._select = None
        elif tag == "tbody":
            self._in_tbody = False
        elif tag == "td" and self._cell is not None:
            self._row.append(" ".join("".join(self._cell).split()))
            self._cell = None
        elif tag == "tr" and self._row is not None:
            self.rows.append(self._row)
            self._row = None
        if self._capture and tag == self._capture[2]:
            kind, key, _, parts = self._capture
            text = " ".join("".join(parts).split())
            if kind == "title":
                self.title = text
            elif kind == "summary":
                self.summary_errors.append(text)
            elif kind == "field":
                self.field_errors[key] = text.removeprefix("Error:").strip()
            elif kind == "banner":
                self.banners.append(text)
            else:
                self.textareas[key] = "".join(parts).strip()
            self._capture = None

    def handle_data(self, data):
        if self._capture:
            self._capture[3].append(data)
        if self._cell is not None:
            self._cell.append(data)

    def checked(self, name, form_suffix=""):
        return [i["value"] for i in self.inputs if i.get("name") == name and i.get("type") == "radio"
                and "checked" in i and (i["_form"] or "").endswith(form_suffix)]

    def value(self, name, form_suffix=""):
        values = [i.get("value") for i in self.inputs
                  if i.get("name") == name and (i["_form"] or "").endswith(form_suffix)]
        assert len(values) == 1, (name, form_suffix, values)
        return values[0]
