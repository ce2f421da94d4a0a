"""Users, roles, login, magic links."""
