"""The agent as a per-user background service: systemd user unit, LaunchAgent, logon task."""
