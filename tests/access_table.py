"""The access table: every route of the app, and what each role (and someone signed out) gets from
it. tests/test_access_control.py checks the app against it; the browser sweep
(tests/browser/test_every_page.py) opens every page it says a role may read."""
from iom.auth.permissions import ROLES

SIGNED_OUT = None
A, M, O, H, R = "admin", "manager", "officer", "housing", "reviewer"


def only(allowed_status: int, *roles: str) -> dict:
    """allowed_status for the named roles, 403 for every other role, sign-in redirect when signed out."""
    table = {role: (allowed_status if role in roles else 403) for role in ROLES}
    table[SIGNED_OUT] = 302
    return table


def everyone(status: int, signed_out: int = 302) -> dict:
    table = {role: status for role in ROLES}
    table[SIGNED_OUT] = signed_out
    return table


# (endpoint, method, path) -> {role: status}. {target} is another user's id.
TABLE = {
    ("static", "GET", "/static/favicon.svg"): everyone(200, signed_out=200),
    ("auth.health", "GET", "/healthz"): everyone(200, signed_out=200),
    ("auth.login", "GET", "/login"): everyone(302, signed_out=200),
    ("auth.login", "POST", "/login"): everyone(302, signed_out=200),
    # the sign-in's second step: only for a browser that has just given the right password, else back to /login
    ("auth.second_factor", "GET", "/login/code"): everyone(302, signed_out=302),
    ("auth.second_factor", "POST", "/login/code"): everyone(302, signed_out=302),
    ("auth.set_up_second_factor", "GET", "/login/set-up-second-factor"): everyone(302, signed_out=302),
    ("auth.set_up_second_factor", "POST", "/login/set-up-second-factor"): everyone(302, signed_out=302),
    # the code asked again before a download (a POST without a code is a form error)
    ("auth.step_up", "GET", "/account/confirm-code"): everyone(200),
    ("auth.step_up", "POST", "/account/confirm-code"): everyone(400),
    ("auth.setup_first_admin", "GET", "/setup/unknown-token"): everyone(404, signed_out=404),
    ("auth.setup_first_admin", "POST", "/setup/unknown-token"): everyone(404, signed_out=404),
    ("auth.change_password", "GET", "/account/password"): everyone(200),
    ("auth.change_password", "POST", "/account/password"): everyone(200),
    ("home.index", "GET", "/"): everyone(200),
    # what a public service must publish: readable by anyone, signed in or not
    ("about.accessibility", "GET", "/accessibility"): everyone(200, signed_out=200),
    ("about.privacy", "GET", "/privacy"): everyone(200, signed_out=200),
    ("about.cookies", "GET", "/cookies"): everyone(200, signed_out=200),
    ("audit.list_entries", "GET", "/audit"): only(200, A, M),
    ("audit.download", "POST", "/audit/download"): only(200, A, M),
    ("accounts.list_users", "GET", "/admin/users"): only(200, A),
    ("accounts.add_user", "GET", "/admin/users/new"): only(200, A),
    ("accounts.add_user", "POST", "/admin/users/new"): only(200, A),
    ("accounts.show_user", "GET", "/admin/users/{target}"): only(200, A),
    ("accounts.change_role", "POST", "/admin/users/{target}/role"): only(400, A),
    ("accounts.reset_password", "POST", "/admin/users/{target}/password"): only(400, A),
    ("accounts.deactivate_user", "POST", "/admin/users/{target}/deactivate"): only(400, A),
    ("accounts.reactivate_user", "POST", "/admin/users/{target}/reactivate"): only(400, A),
    ("accounts.reset_second_factor", "POST", "/admin/users/{target}/second-factor/reset"): only(400, A),
    ("watch.list_entries", "GET", "/watch-list"): only(200, M, O),
    ("watch.add_entry", "GET", "/watch-list/new"): only(200, M, O),
    ("watch.add_entry", "POST", "/watch-list/new"): only(400, M, O),
    ("watch.show_entry", "GET", "/watch-list/999999"): only(404, M, O),
    ("watch.edit_entry", "GET", "/watch-list/999999/edit"): only(404, M, O),
    ("watch.edit_entry", "POST", "/watch-list/999999/edit"): only(404, M, O),
    ("watch.close_entry", "POST", "/watch-list/999999/close"): only(404, M, O),
    ("watch.review_entry", "POST", "/watch-list/999999/review"): only(404, M, O),
    ("watch.record_offence", "GET", "/watch-list/999999/offences/new"): only(404, M, O),
    ("watch.record_offence", "POST", "/watch-list/999999/offences/new"): only(404, M, O),
    # the adoption score: how it is worked out (no one named) for officers and managers; its settings managers'
    ("scores.explain", "GET", "/offending/scores"): only(200, M, O),
    ("scores.settings", "GET", "/offending/scores/settings"): only(200, M),
    ("scores.settings", "POST", "/offending/scores/settings"): only(400, M),
    ("clients.list_clients", "GET", "/clients"): only(200, M, O, H),
    ("clients.add_client", "GET", "/clients/new"): only(200, M, O),
    ("clients.add_client", "POST", "/clients/new"): only(400, M, O),
    ("clients.show_client", "GET", "/clients/{client}"): only(200, M, O, H),
    # the client page's parts: the housing specialist sees custody and referrals, never offending,
    # payments, case notes or the change history
    ("clients.show_client", "GET", "/clients/{client}/custody"): only(200, M, O, H),
    ("clients.show_client", "GET", "/clients/{client}/referrals"): only(200, M, O, H),
    ("clients.show_client", "GET", "/clients/{client}/offending"): only(200, M, O),
    ("clients.show_client", "GET", "/clients/{client}/payments"): only(200, M, O),
    ("clients.show_client", "GET", "/clients/{client}/notes"): only(200, M, O),
    ("clients.show_client", "GET", "/clients/{client}/history"): only(200, M, O),
    ("clients.list_duplicates", "GET", "/clients/duplicates"): only(200, M),
    ("clients.mark_different", "POST", "/clients/duplicates/different"): only(400, M),
    ("clients.merge", "GET", "/clients/merge?first={client}&second={client}"): only(400, M),
    ("clients.merge", "POST", "/clients/merge"): only(400, M),
    ("clients.edit_client", "GET", "/clients/{client}/edit"): only(200, M, O),
    ("clients.edit_client", "POST", "/clients/{client}/edit"): only(400, M, O),
    ("clients.adopt", "GET", "/clients/{client}/adopt"): only(200, M, O),
    ("clients.adopt", "POST", "/clients/{client}/adopt"): only(400, M, O),
    ("clients.leave", "GET", "/clients/{client}/periods/{period}/leave"): only(200, M, O),
    ("clients.leave", "POST", "/clients/{client}/periods/{period}/leave"): only(400, M, O),
    ("clients.add_note", "POST", "/clients/{client}/notes"): only(400, M, O),
    ("clients.record_custody", "GET", "/clients/{client}/custody/new"): only(200, M, O),
    ("clients.record_custody", "POST", "/clients/{client}/custody/new"): only(400, M, O),
    # the offending record: officers and managers only, never housing or the reviewer
    # AUDIT-C screenings: health data, for officers and managers only
    ("clients.record_alcohol_screening", "GET", "/clients/{client}/alcohol-screenings/new"): only(200, M, O),
    ("clients.record_alcohol_screening", "POST", "/clients/{client}/alcohol-screenings/new"): only(400, M, O),
    ("clients.correct_alcohol_screening", "GET", "/clients/{client}/alcohol-screenings/{screening}/edit"): only(200, M, O),
    ("clients.correct_alcohol_screening", "POST", "/clients/{client}/alcohol-screenings/{screening}/edit"):
        only(400, M, O),
    ("clients.correct_alcohol_screening", "GET", "/clients/{client}/alcohol-screenings/999999/edit"): only(404, M, O),
    ("clients.record_offence", "GET", "/clients/{client}/offences/new"): only(200, M, O),
    ("clients.record_offence", "POST", "/clients/{client}/offences/new"): only(400, M, O),
    ("clients.correct_offence", "GET", "/clients/{client}/offences/{offence}/edit"): only(200, M, O),
    ("clients.correct_offence", "POST", "/clients/{client}/offences/{offence}/edit"): only(400, M, O),
    ("clients.correct_offence", "GET", "/clients/{client}/offences/999999/edit"): only(404, M, O),
    ("clients.remove_offence", "GET", "/clients/{client}/offences/{offence}/remove"): only(200, M, O),
    ("clients.remove_offence", "POST", "/clients/{client}/offences/{offence}/remove"): only(400, M, O),
    ("clients.remove_offence", "POST", "/clients/{client}/offences/999999/remove"): only(404, M, O),
    ("offending.unit_costs", "GET", "/offending/unit-costs"): only(200, M),
    ("offending.edit_unit_cost", "GET", "/offending/unit-costs/shoplifting"): only(200, M),
    ("offending.edit_unit_cost", "GET", "/offending/unit-costs/arson"): only(404, M),
    ("offending.edit_unit_cost", "POST", "/offending/unit-costs/shoplifting"): only(400, M),
    ("offending.revert_unit_cost", "POST", "/offending/unit-costs/shoplifting/revert"): only(400, M),
    ("payments.ledger", "GET", "/payments"): only(200, M, O),
    ("payments.ledger", "GET", "/payments?year=2011-12"): only(200, M, O),
    ("payments.approvals", "GET", "/payments/approvals"): only(200, M),
    ("payments.budget", "GET", "/payments/budget"): only(200, M),
    ("payments.budget", "POST", "/payments/budget"): only(400, M),
    ("payments.show_payment", "GET", "/payments/999999"): only(404, M, O),
    ("payments.decide", "POST", "/payments/999999/decide"): only(404, M),
    ("payments.record_achievement", "POST", "/payments/999999/achieved"): only(404, M, O),
    ("payments.request_payment", "GET", "/clients/{client}/payments/new"): only(200, M, O),
    ("payments.request_payment", "POST", "/clients/{client}/payments/new"): only(400, M, O),
    ("referrals.add_referral", "GET", "/clients/{client}/referrals/new/housing"): only(200, M, O, H),
    ("referrals.add_referral", "POST", "/clients/{client}/referrals/new/housing"): only(400, M, O, H),
    ("referrals.add_referral", "GET", "/clients/{client}/referrals/new/mental_health"): only(200, M, O),
    ("referrals.add_referral", "POST", "/clients/{client}/referrals/new/mental_health"): only(400, M, O),
    ("referrals.add_referral", "GET", "/clients/{client}/referrals/new/alcohol"): only(200, M, O),
    ("referrals.add_referral", "POST", "/clients/{client}/referrals/new/alcohol"): only(400, M, O),
    ("referrals.show_referral", "GET", "/referrals/{referral}"): only(200, M, O, H),
    ("referrals.edit_referral", "GET", "/referrals/{referral}/edit"): only(200, M, O, H),
    ("referrals.edit_referral", "POST", "/referrals/{referral}/edit"): only(400, M, O, H),
    ("referrals.reopen_referral", "POST", "/referrals/{referral}/reopen"): only(400, M),
    ("referrals.reopen_referral", "POST", "/referrals/{mh_referral}/reopen"): only(400, M),
    # a mental-health referral is hidden from housing: 404, as if it did not exist
    ("referrals.show_referral", "GET", "/referrals/{mh_referral}"): {**only(200, M, O), H: 404},
    ("referrals.edit_referral", "GET", "/referrals/{mh_referral}/edit"): {**only(200, M, O), H: 404},
    ("referrals.edit_referral", "POST", "/referrals/{mh_referral}/edit"): {**only(400, M, O), H: 404},
    # an alcohol services referral is hidden from housing too (health data)
    ("referrals.show_referral", "GET", "/referrals/{alc_referral}"): {**only(200, M, O), H: 404},
    ("referrals.edit_referral", "GET", "/referrals/{alc_referral}/edit"): {**only(200, M, O), H: 404},
    ("referrals.housing_queue", "GET", "/housing"): only(200, M, O, H),
    ("referrals.release_worklist", "GET", "/housing/releases"): only(200, M, O, H),
    ("referrals.list_agencies", "GET", "/referrals/agencies"): only(200, M),
    ("referrals.add_agency", "POST", "/referrals/agencies"): only(400, M),
    ("referrals.edit_agency", "GET", "/referrals/agencies/{agency}/edit"): only(200, M),
    ("referrals.edit_agency", "POST", "/referrals/agencies/{agency}/edit"): only(400, M),
    ("figures.monthly", "GET", "/figures"): only(200, A, M, O, H),
    ("figures.monthly_csv", "GET", "/figures/monthly.csv"): only(200, A, M, O, H),
    ("figures.show_month", "GET", "/figures/months/2011-10"): only(200, A, M, O, H),
    ("figures.record_sac", "POST", "/figures/months/2011-10/sac"): only(400, M),
    ("figures.close_month", "POST", "/figures/months/2011-10/close"): only(400, M),
    ("figures.settings", "GET", "/figures/settings"): only(200, A, M),
    # offending before and after adoption: the cohort's figures, small groups unsuppressed, for managers
    ("figures.reoffending_page", "GET", "/figures/reoffending"): only(200, M),
    ("figures.reoffending_page", "GET", "/figures/reoffending?from=2011-04-01&to=2012-03-31"): only(200, M),
    ("figures.reoffending_page", "GET", "/figures/reoffending?from=2012-04-01&to=2011-03-31"): only(400, M),
    ("figures.reoffending_csv", "GET", "/figures/reoffending.csv?from=2011-04-01&to=2012-03-31"): only(200, M),
    ("figures.reoffending_xlsx", "GET", "/figures/reoffending.xlsx?from=2011-04-01&to=2012-03-31"): only(200, M),
    ("figures.settings", "POST", "/figures/settings"): only(400, A, M),
    ("imports.upload", "GET", "/import"): only(200, M),
    ("imports.upload", "POST", "/import"): only(400, M),
    ("imports.preview", "GET", "/import/" + "x" * 43): only(404, M),
    ("imports.confirm", "POST", "/import/" + "x" * 43 + "/confirm"): only(302, M),
    ("imports.cancel", "POST", "/import/" + "x" * 43 + "/cancel"): only(404, M),
    ("imports.export_caseload", "POST", "/export-caseload"): only(200, M),
    # the data protection duties: the retention review and disposal, and the subject access export (managers)
    ("data_protection.retention_review", "GET", "/data-protection/retention"): only(200, M),
    ("data_protection.review_person", "GET", "/data-protection/retention/{client}"): only(200, M),
    ("data_protection.review_person", "GET", "/data-protection/retention/UNKNOWN-1"): only(404, M),
    ("data_protection.dispose", "POST", "/data-protection/retention/{client}"): only(400, M),
    ("data_protection.review_watch_entry", "GET", "/data-protection/retention/watch/999999"): only(404, M),
    ("data_protection.dispose_watch_entry", "POST", "/data-protection/retention/watch/999999"): only(404, M),
    ("data_protection.subject_access_page", "GET", "/data-protection/subject-access/{client}"): only(200, M),
    ("data_protection.watch_subject_access_page", "GET", "/data-protection/subject-access/watch/999999"):
        only(404, M),
    ("data_protection.watch_subject_access_download", "POST", "/data-protection/subject-access/watch/999999/json"):
        only(404, M),
    ("data_protection.subject_access_download", "POST", "/data-protection/subject-access/{client}/json"):
        only(200, M),
    ("data_protection.subject_access_download", "POST", "/data-protection/subject-access/{client}/pdf"):
        only(200, M),
    ("data_protection.subject_access_download", "POST", "/data-protection/subject-access/UNKNOWN-1/json"):
        only(404, M),
    # the end-of-year review: the pack for reviewers, managers and administrators; its inputs for managers
    ("reports.index", "GET", "/reports"): only(200, A, M, R),
    ("reports.show_pack", "GET", "/reports/2011-12"): only(200, A, M, R),
    ("reports.show_pack", "GET", "/reports/1999-00"): only(404, A, M, R),
    # downloads are POSTs with the CSRF token: no link on another site can start one
    ("reports.download", "POST", "/reports/2011-12/download/json"): only(200, A, M, R),
    ("reports.download", "POST", "/reports/2011-12/download/csv"): only(200, A, M, R),
    ("reports.download", "POST", "/reports/2011-12/download/xlsx"): only(200, A, M, R),
    ("reports.download", "POST", "/reports/2011-12/download/pdf"): only(200, A, M, R),
    ("reports.download", "POST", "/reports/2011-12/download/docx"): only(404, A, M, R),
    # the outside reviewer's review: the reviewer designs, writes and signs; the manager answers and
    # reads; the administrator (accounts, not the review) has no part in it. No review exists here yet.
    ("reports.show_review", "GET", "/reports/2011-12/review"): only(200, M, R),
    ("reports.show_review_version", "GET", "/reports/2011-12/review/versions/1"): only(404, M, R),
    ("reports.design_review", "GET", "/reports/2011-12/review/sections"): only(200, R),
    ("reports.design_review", "POST", "/reports/2011-12/review/sections"): only(400, R),
    ("reports.write_findings", "GET", "/reports/2011-12/review/sections/summary"): only(404, R),
    ("reports.write_findings", "POST", "/reports/2011-12/review/sections/summary"): only(404, R),
    ("reports.raise_question", "GET", "/reports/2011-12/review/questions/new"): only(200, R),
    ("reports.raise_question", "POST", "/reports/2011-12/review/questions/new"): only(400, R),
    ("reports.answer_question", "GET", "/reports/2011-12/review/questions/999999/answer"): only(404, M),
    ("reports.answer_question", "POST", "/reports/2011-12/review/questions/999999/answer"): only(404, M),
    ("reports.sign_off_review", "GET", "/reports/2011-12/review/sign-off"): only(200, R),
    ("reports.sign_off_review", "POST", "/reports/2011-12/review/sign-off"): only(400, R),
    ("reports.self_assessment", "GET", "/reports/2011-12/self-assessment"): only(200, M),
    ("reports.self_assessment", "POST", "/reports/2011-12/self-assessment"): only(302, M),
    ("reports.baseline", "GET", "/reports/2011-12/baseline"): only(200, M),
    ("reports.baseline", "POST", "/reports/2011-12/baseline"): only(400, M),
    ("reports.remove_baseline", "POST", "/reports/2011-12/baseline/remove"): only(302, M),
    ("reports.scheme_costs", "GET", "/reports/2011-12/scheme-costs"): only(200, M),
    ("reports.scheme_costs", "POST", "/reports/2011-12/scheme-costs"): only(400, M),
    ("reports.find_pseudonym", "GET", "/reports/2011-12/pseudonym?code=P-0123456789"): only(200, M),
    ("reports.list_questions", "GET", "/reports/questions"): only(200, M),
    ("reports.add_question", "GET", "/reports/questions/new"): only(200, M),
    ("reports.add_question", "POST", "/reports/questions/new"): only(400, M),
    ("reports.edit_question", "GET", "/reports/questions/999999/edit"): only(404, M),
    ("reports.edit_question", "POST", "/reports/questions/999999/edit"): only(404, M),
    ("reports.list_unit_costs", "GET", "/reports/unit-costs"): only(200, M),
    ("reports.add_unit_cost", "GET", "/reports/unit-costs/new"): only(200, M),
    ("reports.add_unit_cost", "POST", "/reports/unit-costs/new"): only(400, M),
    ("reports.edit_unit_cost", "GET", "/reports/unit-costs/999999/edit"): only(404, M),
    ("reports.edit_unit_cost", "POST", "/reports/unit-costs/999999/edit"): only(404, M),
    # the alcohol discussion paper: managers write it and read every version; the reviewer and officers read
    # the published versions (a draft is a 404 to them); housing and administrators are refused (health data)
    ("alcohol_paper.index", "GET", "/alcohol-paper"): only(200, M, O, R),
    ("alcohol_paper.show_year", "GET", "/alcohol-paper/2011-12"): only(200, M, O, R),
    ("alcohol_paper.show_year", "GET", "/alcohol-paper/1999-00"): only(404, M, O, R),
    ("alcohol_paper.show_version", "GET", "/alcohol-paper/2011-12/versions/1"): only(200, M, O, R),
    ("alcohol_paper.show_version", "GET", "/alcohol-paper/2011-12/versions/2"): {**only(404, O, R), M: 200},
    ("alcohol_paper.show_version", "GET", "/alcohol-paper/2011-12/versions/999999"): only(404, M, O, R),
    ("alcohol_paper.download_pdf", "GET", "/alcohol-paper/2011-12/versions/1.pdf"): only(200, M, O, R),
    ("alcohol_paper.download_pdf", "GET", "/alcohol-paper/2011-12/versions/2.pdf"): {**only(404, O, R), M: 200},
    ("alcohol_paper.edit_version", "GET", "/alcohol-paper/2011-12/versions/2/edit"): only(200, M),
    ("alcohol_paper.edit_version", "GET", "/alcohol-paper/2011-12/versions/1/edit"): only(200, M),
    ("alcohol_paper.edit_version", "POST", "/alcohol-paper/2011-12/versions/2/edit"): only(400, M),
    ("alcohol_paper.edit_version", "POST", "/alcohol-paper/2011-12/versions/1/edit"): only(400, M),
    ("alcohol_paper.publish_version", "POST", "/alcohol-paper/2011-12/versions/2/publish"): only(400, M),
    ("alcohol_paper.start_draft", "POST", "/alcohol-paper/2011-12/drafts"): only(302, M),
    # last: signing out ends the session the rows above used
    ("auth.logout", "POST", "/logout"): everyone(302),
}
