"""The watch list: people partner agencies are dealing with, reviewed, closed or adopted onto the scheme."""
