"""Faults: Redis stopped and frozen, a worker killed mid-job, the database restarted (issue 4)."""
