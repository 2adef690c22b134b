"""The offending record: each client's offences, the cost of crime per offence type, and the
before-and-after-adoption measures the national IOM tracking tools judge a scheme by."""
