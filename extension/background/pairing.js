// The pairing exchange's cryptography, WebCrypto only: the extension and the agent each
// prove they know the one-time code, and neither ever sends it. The agent's half is
// agent/security/pairing_proof.py; both are checked against tests/pairing_vectors.json.
//
// master = PBKDF2-HMAC-SHA256(code, "postguard-pair-v1:" + our nonce, 600,000 iterations)
// keys   = HKDF-SHA256(master, zero salt, "postguard-pair-v1 <label>") for our proof, the
//          agent's proof and the key that seals the token
// We prove first (HMAC over the transcript), so the agent gives nothing to a caller that
// does not know the code; the agent answers with the token sealed with AES-256-GCM and its
// own HMAC over the transcript and the token. The transcript binds both nonces and the
// address we dialled, so a program that relays our port to an agent elsewhere fails too.

const VERSION = "postguard-pair-v1";
export const ITERATIONS = 600_000;
// The agent's alphabet: no 0/O or 1/I. Eight characters, typed with or without the dash.
const CODE = /^[A-HJ-NP-Z2-9]{8}$/;
const HEX = /^(?:[0-9a-f]{2})+$/;
const encoder = new TextEncoder();

function toHex(bytes) {
  return Array.from(new Uint8Array(bytes), (b) => b.toString(16).padStart(2, "0")).join("");
}

function fromHex(text) {
  if (typeof text !== "string" || !HEX.test(text)) return null;
  const out = new Uint8Array(text.length / 2);
  for (let i = 0; i < out.length; i += 1) out[i] = parseInt(text.slice(2 * i, 2 * i + 2), 16);
  return out;
}

/** The code as both sides feed it to the KDF (no spaces or dashes, upper case), or null. */
export function normaliseCode(typed) {
  const code = String(typed ?? "").replace(/[\s-]+/g, "").toUpperCase();
  return CODE.test(code) ? code : null;
}

/** What both proofs cover. `address` is "127.0.0.1:<port>", as we dial the agent. */
export function transcript(address, nonce, agentNonce) {
  return `${VERSION}\n${address}\n${nonce}\n${agentNonce}`;
}

/** The exchange's keys (raw bytes). About half a second, by design. */
export async function deriveKeys(code, nonce, cryptoImpl = globalThis.crypto) {
  const subtle = cryptoImpl.subtle;
  const password = await subtle.importKey("raw", encoder.encode(code), "PBKDF2", false, ["deriveBits"]);
  const master = await subtle.deriveBits(
    { name: "PBKDF2", hash: "SHA-256", salt: encoder.encode(`${VERSION}:${nonce}`), iterations: ITERATIONS },
    password,
    256,
  );
  const base = await subtle.importKey("raw", master, "HKDF", false, ["deriveBits"]);
  const expand = async (label) =>
    new Uint8Array(
      await subtle.deriveBits(
        { name: "HKDF", hash: "SHA-256", salt: new Uint8Array(32), info: encoder.encode(`${VERSION} ${label}`) },
        base,
        256,
      ),
    );
  return { extension: await expand("extension proof"), agent: await expand("agent proof"), token: await expand("token key") };
}

async function hmacHex(keyBytes, message, cryptoImpl) {
  const key = await cryptoImpl.subtle.importKey("raw", keyBytes, { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  return toHex(await cryptoImpl.subtle.sign("HMAC", key, encoder.encode(message)));
}

/** Our proof that we know the code. */
export function extensionProof(keys, exchange, cryptoImpl = globalThis.crypto) {
  return hmacHex(keys.extension, exchange, cryptoImpl);
}

/** The proof the agent must give, over the transcript and the token it issued. */
export function agentProof(keys, exchange, token, cryptoImpl = globalThis.crypto) {
  return hmacHex(keys.agent, `${exchange}\n${token}`, cryptoImpl);
}

/** The token the agent sealed for us, or null when it was not sealed with our keys. */
export async function openToken(keys, exchange, { iv, sealed_token: sealed } = {}, cryptoImpl = globalThis.crypto) {
  const ivBytes = fromHex(iv);
  const sealedBytes = fromHex(sealed);
  if (ivBytes?.length !== 12 || sealedBytes == null || sealedBytes.length < 16 || sealedBytes.length > 256) return null;
  try {
    const key = await cryptoImpl.subtle.importKey("raw", keys.token, "AES-GCM", false, ["decrypt"]);
    const plain = await cryptoImpl.subtle.decrypt(
      { name: "AES-GCM", iv: ivBytes, additionalData: encoder.encode(exchange) },
      key,
      sealedBytes,
    );
    return new TextDecoder("utf-8", { fatal: true }).decode(plain);
  } catch {
    return null; // wrong key (not our agent) or a tampered reply
  }
}
