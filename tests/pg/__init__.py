"""The PostgreSQL test tier: a throw-away cluster for the test session."""
