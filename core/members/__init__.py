"""Branch secretaries' member management: list, add, edit, transfer, status, resets, import."""
