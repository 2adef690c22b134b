"""Support payments: requests, approvals against each financial year's budget, and their pages."""
