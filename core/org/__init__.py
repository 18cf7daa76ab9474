"""The organisation tree, members, roles and the one scoping helper."""
