"""PostGuard: inline social media policy guidance.

The ``agent`` package holds the policy engine, the pack tooling, the local HTTP
agent the browser extension talks to, pack distribution and event upload.
"""

__version__ = "0.1.0"
