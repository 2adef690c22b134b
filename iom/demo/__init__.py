"""A generated, clearly fictional data set for `make demo`."""
