"""Accounts, sign-in, revocable sessions, password resets handed over by the secretary."""
