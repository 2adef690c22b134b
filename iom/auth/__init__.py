"""Accounts, sign-in, roles and the access rules (permissions.py) every request passes through
(hooks.py); the audited refusal and the record-level rules' checks are in access.py."""
