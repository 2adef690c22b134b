"""Pages a worker keeps whole, while the data they were made from is unchanged.

The caseload is the page read most, and most of its cost was working out the same page again: the count,
the 50 rows, the scores, the officer list and 500 cells of markup, identical from one request to the next
until someone changes a client, an offence, the scoring or an account. A worker keeps what it made under the
caseload's generation (iom/generations.py: a token the database replaces on any change to those tables, read
with the session's own statement) and uses it again while it is the same. The audit entry is written on every
request all the same: a view is audited whether its page was kept or not.

What is kept is made for one request's inputs, so the key must name every input of it: the day, the account
and its role, the address's root and its arguments. Each kept page holds personal data, so:
- a worker keeps pages only for the generation it last saw, and drops them all as soon as any signed-in
  request it serves sees a new one: a record disposed of or corrected is not kept on in memory;
- at most KEPT pages, the least recently used dropped first;
- nothing is written to disk, and each application (each test's) keeps its own;
- IOM_KEEP_PAGES=0 (KEEP_PAGES) keeps none.
"""
from collections import OrderedDict
from threading import Lock
from typing import Any, Hashable

from flask import Flask, current_app

KEPT = 128   # about 60 KB each: 8 MB a worker at most


class KeptPages:
    """What one kind of page keeps, for one generation."""

    def __init__(self, size: int = KEPT):
        self.size = size
        self.generation: int | None = None
        self.pages: OrderedDict = OrderedDict()
        self.lock = Lock()   # the development server runs a thread a request

    def _see(self, generation: int) -> None:
        if generation != self.generation:
            self.pages.clear()
            self.generation = generation

    def see(self, generation: int) -> None:
        """Drop everything kept if this generation is new."""
        with self.lock:
            self._see(generation)

    def get(self, generation: int, key: Hashable) -> Any:
        """What was kept for `key` under this generation, or None."""
        with self.lock:
            self._see(generation)
            found = self.pages.get(key)
            if found is not None:
                self.pages.move_to_end(key)
            return found

    def put(self, generation: int, key: Hashable, page: Any) -> None:
        """Keep `page`, made from data read after this generation was."""
        with self.lock:
            self._see(generation)
            self.pages[key] = page
            while len(self.pages) > self.size:
                self.pages.popitem(last=False)

    def clear(self) -> None:
        with self.lock:
            self.pages.clear()
            self.generation = None


def kept(name: str) -> KeptPages:
    """This application's kept pages of one kind ("caseload"); with KEEP_PAGES off (IOM_KEEP_PAGES=0), a
    keeper that keeps nothing, so every page is made afresh."""
    size = KEPT if current_app.config["KEEP_PAGES"] else 0
    return current_app.extensions["iom.kept_pages"].setdefault(name, KeptPages(size))


def see(generation: int) -> None:
    """Every signed-in request's generation (iom/auth/hooks.py): any page kept under an older one is dropped
    then, whatever page the request is for, so a disposed or corrected record does not stay in a worker's
    memory until its next caseload page."""
    for pages in current_app.extensions["iom.kept_pages"].values():
        pages.see(generation)


def init_app(app: Flask) -> None:
    app.extensions["iom.kept_pages"] = {}
