"""Paying from a year's default budget does not fix that budget: a later budgets.csv may set it."""
from decimal import Decimal

from sqlalchemy import select

from iom.figures import monthly
from iom.extensions import db
from iom.payments.models import Budget
from iom.years import FinancialYear


def write(folder, name, text):
    (folder / name).write_text(text, encoding="utf-8")


def test_budgets_can_be_set_after_payments_were_made_against_the_default(app, runner, tmp_path):
    first = tmp_path / "first"
    first.mkdir()
    write(first, "clients.csv", "reference,given_name,family_name,strand,joined_on\n"
                                "IOM-0001,Ann,Example,catch_convict,2011-04-01\n")
    write(first, "payments.csv", "reference,paid_on,amount_gbp,purpose\n"
                                 "IOM-0001,2011-06-01,35.00,Proof of qualifications for a job\n"
                                 "IOM-0001,2011-07-01,35.00,Proof of qualifications for a job\n")
    result = runner.invoke(args=["import", str(first)])
    assert result.exit_code == 0, result.output
    with app.app_context():
        assert db.session.scalar(select(Budget)) is None
        assert monthly.payments(FinancialYear.parse("2011-12")) == {"count": 2, "total_gbp": Decimal("70.00"),
                                               "budget_gbp": Decimal("1000.00")}
    second = tmp_path / "second"
    second.mkdir()
    write(second, "budgets.csv", "financial_year,amount_gbp\n2011-12,2000.00\n")
    result = runner.invoke(args=["import", str(second)])
    assert result.exit_code == 0, result.output
    with app.app_context():
        assert monthly.payments(FinancialYear.parse("2011-12"))["budget_gbp"] == Decimal("2000.00")


def test_an_enormous_amount_is_a_fault_line_not_a_crash(app, runner, tmp_path):
    write(tmp_path, "budgets.csv", "financial_year,amount_gbp\n2011-12," + "9" * 40 + "\n")
    write(tmp_path, "payments.csv", "reference,paid_on,amount_gbp,purpose\nIOM-0001,2011-06-01,1" + "0" * 30 + ",x\n")
    write(tmp_path, "clients.csv", "reference,given_name,family_name,strand,joined_on\n"
                                   "IOM-0001,Ann,Example,catch_convict,2011-04-01\n")
    result = runner.invoke(args=["import", str(tmp_path)])
    assert result.exit_code == 1
    assert "budgets.csv:2: amount_gbp:" in result.output and "payments.csv:2: amount_gbp:" in result.output
    with app.app_context():
        assert db.session.scalar(select(Budget)) is None
