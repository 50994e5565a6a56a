"""The agent's defences: secrets storage, pairing codes, the challenge proof, rate limits."""
