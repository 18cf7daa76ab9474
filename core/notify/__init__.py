"""The in-app inbox: notifications addressed to a person or to everyone under an organisation."""
