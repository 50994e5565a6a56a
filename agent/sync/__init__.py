"""Signed pack sync: download, verify, compile, keep the last good set, activate.

- ``options``   what the managed settings say (index URL, pinned keys, limits)
- ``fetch``     one HTTP GET with ETag, a size cap and timeouts
- ``credentials`` the pack server's bearer token, kept as a secret, sent to its origin only
- ``schedule``  when to poll next: jittered interval, backoff, Cache-Control, Retry-After
- ``verify``    signature, rollback and expiry checks, archive hashes
- ``store``     the last-known-good set on disk, swapped atomically with a pointer file
- ``syncer``    one sync attempt end to end; never touches the running engine
- ``status``    what happened, persisted so ``postguard status`` works offline
- ``service``   the agent's background loop and start-up load
"""
