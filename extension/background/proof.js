// The challenge that proves the agent on the port holds our token, so a process
// squatting the agent's port never receives a draft. WebCrypto only.

const PROOF_PREFIX = "postguard-agent-proof:";
const encoder = new TextEncoder();

function toHex(bytes) {
  return Array.from(new Uint8Array(bytes), (b) => b.toString(16).padStart(2, "0")).join("");
}

/** 32 random bytes, hex: the nonce sent with POST /v1/challenge. */
export function randomNonce(cryptoImpl = globalThis.crypto) {
  return toHex(cryptoImpl.getRandomValues(new Uint8Array(32)));
}

/** hex(HMAC-SHA256(token, "postguard-agent-proof:" + nonce)) */
export async function expectedProof(token, nonce, cryptoImpl = globalThis.crypto) {
  const key = await cryptoImpl.subtle.importKey(
    "raw",
    encoder.encode(token),
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["sign"],
  );
  const mac = await cryptoImpl.subtle.sign("HMAC", key, encoder.encode(PROOF_PREFIX + nonce));
  return toHex(mac);
}

/** Compare without an early exit, so timing says nothing about the expected proof. */
export function sameProof(a, b) {
  if (typeof a !== "string" || typeof b !== "string" || a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i += 1) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}
