"""Tests of the offending record: offences, the cost of crime, days at risk."""
