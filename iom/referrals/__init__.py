"""Housing, mental-health and alcohol-service referrals, the agencies they go to, and their pages."""
