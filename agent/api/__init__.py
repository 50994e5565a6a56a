"""The agent's HTTP API: route table, thin handlers, models, and the security edge."""
