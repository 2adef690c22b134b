"""Every monthly and yearly number the service reports: the monthly figures (monthly.py), the end-of-year sections (annual.py), their pages, charts, CSV and the monthly-check command."""
