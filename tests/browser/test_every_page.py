"""Every page each role can open, through real Chromium on the demo caseload: axe-core finds no
violation of any impact, and at 320 CSS pixels wide (WCAG 2.2, 1.4.10 Reflow: 1280 px at 400%
zoom) the page does not scroll sideways (a wide data table or a chart scrolls inside its own
frame, which is allowed), at 640 CSS pixels (1280 px at 200% zoom) nothing scrolls sideways and no
text is cut off by a box that hides its overflow, and at 1280 px the menu stays on one line. The pages are the access table's GET rows that answer 200 for the role
(tests/access_table.py), so a new page is swept as soon as it has its row.

axe-core comes from the npm registry (package.json) and is injected through a browser context that
bypasses the content security policy, which allows no inline or injected script otherwise."""
import json
from pathlib import Path

from iom.demo.commands import DEMO_PASSWORD
from tests.access_table import SIGNED_OUT, TABLE
from tests.builders import make_alcohol_records_for_routes, make_client_for_routes, make_referrals_for_routes
from tests.pages import sign_in_through_the_page

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
ROLES_AND_ACCOUNTS = [("admin", "demo.admin"), ("manager", "demo.manager"), ("officer", "demo.officer"),
                      ("housing", "demo.housing"), ("reviewer", "demo.reviewer"), (SIGNED_OUT, None)]
# pages that are not for reading: files, redirects, the health check, the sign-out's own form
NOT_PAGES = ("static", "auth.health", "auth.logout")


def load_demo(live_server) -> dict:
    """The demo accounts and caseload (`demo-data`, as `make demo` runs it), and the route walker's
    records for the table's addresses."""
    from iom.auth import operations
    from iom.extensions import db
    result = live_server.app.test_cli_runner().invoke(args=["demo-data"])
    assert result.exit_code == 0, result.output
    with live_server.app.app_context():
        target = operations.create_user("target.user", "officer", DEMO_PASSWORD + "!", actor_label="test")
        db.session.commit()
        target_id = target.id
    places = {"target": target_id, **make_client_for_routes(live_server.app)}
    places.update(make_referrals_for_routes(live_server.app, places["client"]))
    places.update(make_alcohol_records_for_routes(live_server.app, places["client"]))
    return places


DOWNLOADS = (".csv", ".xlsx", ".pdf", ".json", "/download/")


def pages_for(role) -> list[str]:
    """The addresses of the pages (not the files) the role may open."""
    return sorted({path for (endpoint, method, path), expected in TABLE.items()
                   if method == "GET" and expected[role] == 200 and endpoint not in NOT_PAGES
                   and not any(mark in path.split("?")[0] or path.split("?")[0].endswith(mark) for mark in DOWNLOADS)})


REFLOW = """() => {
  // the outermost elements that reach past the right edge: those whose parent does not
  const page = document.documentElement, edge = page.clientWidth + 1;
  const name = (element) => element.tagName.toLowerCase() + (element.id ? '#' + element.id : '') +
    (typeof element.className === 'string' && element.className ? '.' + element.className.trim().split(/\\s+/).join('.') : '');
  const clipped = (element) => {
    for (let up = element.parentElement; up && up !== document.body; up = up.parentElement) {
      if (getComputedStyle(up).overflowX !== 'visible') return true;
    }
    return false;
  };
  const wide = [...document.querySelectorAll('body *')].filter((element) =>
    element.getBoundingClientRect().right > edge && element.parentElement.getBoundingClientRect().right <= edge
    && !clipped(element)
  ).slice(0, 5).map((element) => name(element) + ' in ' + name(element.parentElement));
  return {scrollWidth: page.scrollWidth, clientWidth: page.clientWidth, wide};
}"""


CUT = """() => {
  // text cut off: an element that hides what overflows it (not one that scrolls) holding more
  // text than it shows, or text ended with an ellipsis
  const name = (element) => element.tagName.toLowerCase() + (element.id ? '#' + element.id : '');
  return [...document.querySelectorAll('body *')].filter((element) => {
    const style = getComputedStyle(element);
    if (!element.textContent.trim() || style.display === 'none' || style.visibility === 'hidden') return false;
    const box = element.getBoundingClientRect();
    if (box.width <= 1 || box.height <= 1) return false;  // hidden for sight, read by screen readers (the skip link)
    const hides = ['hidden', 'clip'].includes(style.overflowX) || ['hidden', 'clip'].includes(style.overflowY);
    return (hides && (element.scrollWidth > element.clientWidth + 1 || element.scrollHeight > element.clientHeight + 1))
      || (style.textOverflow === 'ellipsis' && element.scrollWidth > element.clientWidth + 1);
  }).slice(0, 5).map(name);
}"""


def test_every_page_for_every_role_passes_axe_and_reflows_at_320_px(browser, live_server):
    places = load_demo(live_server)
    axe = AXE.read_text(encoding="utf-8")
    violations, overflowing, wrapped, cut, swept = [], [], [], [], 0
    for role, username in ROLES_AND_ACCOUNTS:
        context = browser.new_context(bypass_csp=True, viewport={"width": 1280, "height": 900})
        page = context.new_page()
        if username:
            sign_in_through_the_page(page, live_server, username, DEMO_PASSWORD)
            page.wait_for_url(f"{live_server.url}/**")
        for path in pages_for(role):
            url = path.format(**places)
            page.set_viewport_size({"width": 1280, "height": 900})
            response = page.goto(f"{live_server.url}{url}")
            assert response.status == 200, f"{role} {url}: {response.status}"
            menu_rows = page.evaluate("() => new Set([...document.querySelectorAll("
                                      "'.govuk-service-navigation__item')].map((item) => item.offsetTop)).size")
            if menu_rows > 1:
                wrapped.append(f"{role or 'signed out'} {url}: the menu takes {menu_rows} lines at 1280 px")
            page.add_script_tag(content=axe)
            result = page.evaluate("async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
                                   ".map((v) => ({id: v.id, impact: v.impact, nodes: v.nodes.length,"
                                   " target: v.nodes[0].target.join(' ')}))")
            violations += [f"{role or 'signed out'} {url}: {one['impact']} {one['id']} ({one['nodes']}, "
                           f"first {one['target']})" for one in result]
            page.set_viewport_size({"width": 320, "height": 800})
            width = page.evaluate(REFLOW)
            if width["scrollWidth"] > width["clientWidth"]:
                overflowing.append(f"{role or 'signed out'} {url}: {width['scrollWidth']} px wide at 320, "
                                   f"from {', '.join(width['wide']) or 'unknown'}")
            page.set_viewport_size({"width": 640, "height": 450})  # 1280 x 900 at 200% zoom
            width, hidden = page.evaluate(REFLOW), page.evaluate(CUT)
            if width["scrollWidth"] > width["clientWidth"]:
                overflowing.append(f"{role or 'signed out'} {url}: {width['scrollWidth']} px wide at 200% zoom, "
                                   f"from {', '.join(width['wide']) or 'unknown'}")
            if hidden:
                cut.append(f"{role or 'signed out'} {url}: text cut off at 200% zoom in {', '.join(hidden)}")
            swept += 1
        context.close()
    print(f"\nSwept {swept} pages: {len(violations)} axe violations, {len(overflowing)} sideways at 320 px or "
          f"200% zoom, {len(cut)} with text cut off at 200% zoom")
    print(json.dumps({"violations": violations, "overflowing": overflowing, "wrapped": wrapped, "cut": cut},
                     indent=1))
    assert swept > 60
    assert violations == [], "\n".join(violations)
    assert overflowing == [], "\n".join(overflowing)
    assert wrapped == [], "\n".join(wrapped)
    assert cut == [], "\n".join(cut)
