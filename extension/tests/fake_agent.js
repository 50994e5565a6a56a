// Stand-ins for the browser's storage areas and for an agent that knows a pairing code,
// answering the exchange as agent/api/session.py does (WebCrypto, the same formulas).

import { agentProof, deriveKeys, extensionProof, normaliseCode, transcript } from "../background/pairing.js";
import { expectedProof, randomNonce } from "../background/proof.js";

const hex = (bytes) => Buffer.from(bytes).toString("hex");

export function memoryArea() {
  const items = new Map();
  return {
    items,
    async get(keys) {
      const names = Array.isArray(keys) ? keys : [keys];
      return Object.fromEntries(names.filter((k) => items.has(k)).map((k) => [k, items.get(k)]));
    },
    async set(values) {
      for (const [k, v] of Object.entries(values)) items.set(k, v);
    },
    async remove(keys) {
      for (const key of Array.isArray(keys) ? keys : [keys]) items.delete(key);
    },
  };
}

/**
 * An agent that knows `code` and answers the exchange as agent/api/session.py does.
 * `address` is where it believes the client connected (a relay would see another port).
 */
export function fakeAgent(code, token, address) {
  const sessions = new Map();
  return async (path, body) => {
    if (path === "/v1/health") return [200, { status: "ok" }];
    if (path === "/v1/challenge") return [200, { proof: await expectedProof(token(), body.nonce) }];
    if (path === "/v1/pair" && body.step === "hello") {
      const agentNonce = randomNonce();
      sessions.set(agentNonce, body.nonce);
      return [200, { agent_nonce: agentNonce }];
    }
    if (path === "/v1/pair" && body.step === "prove") {
      if (sessions.get(body.agent_nonce) !== body.nonce) return [403, { error: { code: "bad_code", message: "expired" } }];
      sessions.delete(body.agent_nonce);
      const keys = await deriveKeys(normaliseCode(code), body.nonce);
      const exchange = transcript(address(), body.nonce, body.agent_nonce);
      if (body.proof !== (await extensionProof(keys, exchange))) {
        return [403, { error: { code: "bad_code", message: "the pairing code is wrong" } }];
      }
      const iv = crypto.getRandomValues(new Uint8Array(12));
      const key = await crypto.subtle.importKey("raw", keys.token, "AES-GCM", false, ["encrypt"]);
      const sealed = await crypto.subtle.encrypt(
        { name: "AES-GCM", iv, additionalData: new TextEncoder().encode(exchange) },
        key,
        new TextEncoder().encode(token()),
      );
      return [200, { iv: hex(iv), sealed_token: hex(sealed), proof: await agentProof(keys, exchange, token()) }];
    }
    return [200, { verdict: "ok", findings: [], packs: [] }];
  };
}
