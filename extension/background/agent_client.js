// The only code that talks to the local agent. Every draft-carrying request is
// preceded (once per worker life, and again after any connection error) by the
// challenge: the agent must prove it holds our token before it sees any text.
// Pairing is mutual too: the agent must prove it knows the code before we keep the
// token it sends (pairing.js).

import { HandlerError } from "./dispatch.js";
import { agentProof, deriveKeys, extensionProof, normaliseCode, openToken, transcript } from "./pairing.js";
import { expectedProof, randomNonce, sameProof } from "./proof.js";

const REQUEST_TIMEOUT_MS = 4000;

export const AgentState = Object.freeze({
  OFFLINE: "offline", // nothing answers, or it answered with garbage
  UNPAIRED: "unpaired", // no token, or the agent no longer accepts ours
  UNTRUSTED: "untrusted", // something answers on the port but cannot prove it is our agent
});

export class AgentError extends HandlerError {}

const HEX64 = /^[0-9a-f]{64}$/;
const TOKEN = /^[A-Za-z0-9_-]{32,128}$/;

function notOurAgent() {
  return new AgentError(
    AgentState.UNTRUSTED,
    "the program on the agent's port could not prove it knows this pairing code, so it is not " +
      "your PostGuard agent; nothing was kept or sent. Run postguard pair for a new code.",
  );
}

/**
 * `unconfirmed` names the request whose answer is missing although it may have reached
 * the agent (a timeout, a garbled reply): the agent may have acted on it. A refused
 * connection leaves it null, since nothing was delivered.
 */
function offline(detail, unconfirmed = null) {
  const error = new AgentError(AgentState.OFFLINE, `PostGuard agent is not reachable (${detail})`);
  error.unconfirmed = unconfirmed;
  return error;
}

/**
 * @param {{port: () => number, token: () => (string|null), onUnauthorized?: () => void,
 *          fetchImpl?: typeof fetch, cryptoImpl?: Crypto, timeoutMs?: number}} deps
 *   `timeoutMs` bounds each request; past it the agent counts as offline (checks fail open).
 */
export function createAgentClient({
  port,
  token,
  onUnauthorized,
  fetchImpl,
  cryptoImpl,
  timeoutMs = REQUEST_TIMEOUT_MS,
}) {
  const doFetch = fetchImpl ?? ((...args) => globalThis.fetch(...args));
  // One in-flight challenge shared by concurrent callers; null means "prove again".
  let proven = null;

  async function post(path, body, { auth }) {
    const headers = { "Content-Type": "application/json" };
    if (auth) {
      const current = token();
      if (!current) throw new AgentError(AgentState.UNPAIRED, "PostGuard is not paired with the agent");
      headers.Authorization = `Bearer ${current}`;
    }
    let response;
    try {
      response = await doFetch(`http://127.0.0.1:${port()}${path}`, {
        method: "POST",
        headers,
        body: JSON.stringify(body ?? {}),
        credentials: "omit",
        cache: "no-store",
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (error) {
      proven = null;
      if (error?.name === "TimeoutError") throw offline("timed out", path);
      throw offline("connection refused");
    }
    let data = null;
    try {
      data = await response.json();
    } catch (error) {
      proven = null;
      // A reply cut off by the deadline is a timeout too: the request arrived.
      const detail = error?.name === "TimeoutError" ? "timed out" : `unreadable reply, HTTP ${response.status}`;
      throw offline(detail, path);
    }
    if (response.ok) return data;
    const code = data?.error?.code ?? `http_${response.status}`;
    const message = data?.error?.message ?? `agent answered HTTP ${response.status}`;
    if (response.status === 401 && auth) {
      onUnauthorized?.();
      throw new AgentError(AgentState.UNPAIRED, "the agent no longer accepts this pairing; pair again");
    }
    throw new AgentError(code, message);
  }

  async function prove() {
    const current = token();
    if (!current) throw new AgentError(AgentState.UNPAIRED, "PostGuard is not paired with the agent");
    const nonce = randomNonce(cryptoImpl);
    const reply = await post("/v1/challenge", { nonce }, { auth: false });
    const expected = await expectedProof(current, nonce, cryptoImpl);
    if (!sameProof(reply?.proof, expected)) {
      throw new AgentError(
        AgentState.UNTRUSTED,
        "the program on the agent's port could not prove it is your PostGuard agent (or this " +
          "browser's pairing was revoked); nothing was sent",
      );
    }
  }

  function ensureProven() {
    if (proven == null) {
      proven = prove().catch((error) => {
        proven = null;
        throw error;
      });
    }
    return proven;
  }

  return {
    /** Forget the proof (token or port changed). */
    reset() {
      proven = null;
    },

    async health() {
      const response = await doFetch(`http://127.0.0.1:${port()}/v1/health`, {
        credentials: "omit",
        cache: "no-store",
        signal: AbortSignal.timeout(timeoutMs),
      }).catch(() => null);
      return response?.ok === true;
    },

    /**
     * The mutual exchange: we send a nonce, then a proof keyed by the code; the agent's
     * answer must open with the code's key and carry its own proof, or nothing is kept.
     * The code itself never leaves this function.
     */
    async pair(typed) {
      const code = normaliseCode(typed);
      if (code == null) throw new AgentError("bad_code", "a pairing code has 8 letters and digits, like K7QM-3XTP");
      const address = `127.0.0.1:${port()}`;
      const nonce = randomNonce(cryptoImpl);
      const hello = await post("/v1/pair", { step: "hello", nonce }, { auth: false });
      const agentNonce = hello?.agent_nonce;
      if (typeof agentNonce !== "string" || !HEX64.test(agentNonce)) throw notOurAgent();
      const keys = await deriveKeys(code, nonce, cryptoImpl);
      const exchange = transcript(address, nonce, agentNonce);
      const proof = await extensionProof(keys, exchange, cryptoImpl);
      const reply = await post("/v1/pair", { step: "prove", nonce, agent_nonce: agentNonce, proof }, { auth: false });
      const token = await openToken(keys, exchange, reply ?? {}, cryptoImpl);
      if (token == null || !TOKEN.test(token)) throw notOurAgent();
      if (!sameProof(reply.proof, await agentProof(keys, exchange, token, cryptoImpl))) throw notOurAgent();
      proven = null;
      return token;
    },

    /** Any authenticated call; draft-carrying ones pass `proveFirst`. */
    async call(path, body, { proveFirst = true } = {}) {
      if (proveFirst) await ensureProven();
      return post(path, body, { auth: true });
    },
  };
}
