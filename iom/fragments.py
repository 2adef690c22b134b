"""Parts of a page that are the same on every request for the same inputs, drawn once and kept.

The header, the menu and the footer are drawn by GOV.UK macros that take a few hundred microseconds a page
between them, on every page, for markup that changes only with the role and the page. A template keeps
such a part with a call block naming everything it depends on:

    {% call keep("footer", request.script_root) %} ...the footer... {% endcall %}

The body is drawn the first time a key is seen, and the same markup is given for that key afterwards, so
**the key must name every input of the body** (the role, the page, the address's root). Anything that
differs per person or per request (a name, a CSRF token) goes in a slot, filled afresh each time:

    {% call keep("menu", role, request.endpoint, fill={"account": account_html}) %}
      ... {{ slot("account") }} ...
    {% endcall %}

Each application keeps its own (at most KEPT parts, the oldest dropped first), so a test's settings never
reach another's pages. Nothing is written to disk and nothing about a person is kept: a slot's contents are
never stored, and a fill that is not markup is escaped.
"""
from collections import OrderedDict

from flask import Flask, current_app
from markupsafe import Markup, escape

KEPT = 512


def slot(name: str) -> Markup:
    """Where a kept part's `fill[name]` goes."""
    return Markup(f"<!--iom-slot:{name}-->")  # nosec B704: a fixed comment; the name is the template's own


def keep(*key, caller, fill=None) -> Markup:
    """The kept markup for `key`, drawing it by `caller()` (the call block's body) the first time; each
    `fill` value then replaces its slot."""
    kept = current_app.extensions["iom.fragments"]
    html = kept.get(key)
    if html is None:
        html = str(caller())
        kept[key] = html
        if len(kept) > KEPT:
            kept.popitem(last=False)
    for name, value in (fill or {}).items():
        html = html.replace(slot(name), escape(value))
    return Markup(html)  # nosec B704: markup the templates drew (escaped there), and the fills they drew


def init_app(app: Flask) -> None:
    app.extensions["iom.fragments"] = OrderedDict()
    app.jinja_env.globals.update(keep=keep, slot=slot)
