"""Custody history: dated custody and remand events, and the form that records a change of status."""
