"""What a public service must publish: the accessibility statement, the privacy notice and the cookies page."""
