"""Survey tooling: definitions, cohort targeting, invitations and responses (to come)."""
