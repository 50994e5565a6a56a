"""The audit log, its outbox and the uploader that empties it."""
