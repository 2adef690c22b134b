"""The home page every signed-in person lands on, with its "today" panel of counts (no person named)."""
