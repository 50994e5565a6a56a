// The only code that talks to the local agent. Every request that carries the token or
// a draft is preceded by its own challenge, on the port it is about to use: the program
// answering there must prove it holds our token before it sees the token or any text.
// No proof is kept between requests: the agent can exit and another program bind its
// port between two of them with nothing failing, so nothing the worker sees could tell
// that a cached proof had gone stale. Redirects are never followed, so a proof always
// comes from the listener we dialled.
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

function notProven() {
  return new AgentError(
    AgentState.UNTRUSTED,
    "the program on the agent's port could not prove it is your PostGuard agent (or this " +
      "browser's pairing was revoked); nothing was sent",
  );
}

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

  function requireToken() {
    const current = token();
    if (!current) throw new AgentError(AgentState.UNPAIRED, "PostGuard is not paired with the agent");
    return current;
  }

  /**
   * One request to `base` (the address read once by the caller, so a challenge and the
   * request it clears go to the same port). `bearer` is sent only by `call`, after a proof.
   */
  async function post(base, path, body, { bearer = null } = {}) {
    const headers = { "Content-Type": "application/json" };
    if (bearer) headers.Authorization = `Bearer ${bearer}`;
    let response;
    try {
      response = await doFetch(`${base}${path}`, {
        method: "POST",
        headers,
        body: JSON.stringify(body ?? {}),
        credentials: "omit",
        cache: "no-store",
        // A redirect would let another listener answer for this one (a squatter sending
        // our challenge on to the agent elsewhere); nothing here is ever redirected.
        redirect: "manual",
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (error) {
      if (error?.name === "TimeoutError") throw offline("timed out", path);
      throw offline("connection refused");
    }
    if (response.type === "opaqueredirect" || (response.status >= 300 && response.status < 400)) {
      throw notProven();
    }
    let data = null;
    try {
      data = await response.json();
    } catch (error) {
      // A reply cut off by the deadline is a timeout too: the request arrived.
      const detail = error?.name === "TimeoutError" ? "timed out" : `unreadable reply, HTTP ${response.status}`;
      throw offline(detail, path);
    }
    if (response.ok) return data;
    const code = data?.error?.code ?? `http_${response.status}`;
    const message = data?.error?.message ?? `agent answered HTTP ${response.status}`;
    if (response.status === 401 && bearer) {
      onUnauthorized?.();
      throw new AgentError(AgentState.UNPAIRED, "the agent no longer accepts this pairing; pair again");
    }
    throw new AgentError(code, message);
  }

  /** The listener at `base` must prove it holds `current`, now. */
  async function prove(base, current) {
    const nonce = randomNonce(cryptoImpl);
    // Computed while the challenge is on the wire, so the request follows its answer at once.
    const [reply, expected] = await Promise.all([
      post(base, "/v1/challenge", { nonce }),
      expectedProof(current, nonce, cryptoImpl),
    ]);
    if (!sameProof(reply?.proof, expected)) throw notProven();
  }

  return {
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
      const base = `http://${address}`;
      const nonce = randomNonce(cryptoImpl);
      const hello = await post(base, "/v1/pair", { step: "hello", nonce });
      const agentNonce = hello?.agent_nonce;
      if (typeof agentNonce !== "string" || !HEX64.test(agentNonce)) throw notOurAgent();
      const keys = await deriveKeys(code, nonce, cryptoImpl);
      const exchange = transcript(address, nonce, agentNonce);
      const proof = await extensionProof(keys, exchange, cryptoImpl);
      const reply = await post(base, "/v1/pair", { step: "prove", nonce, agent_nonce: agentNonce, proof });
      const token = await openToken(keys, exchange, reply ?? {}, cryptoImpl);
      if (token == null || !TOKEN.test(token)) throw notOurAgent();
      if (!sameProof(reply.proof, await agentProof(keys, exchange, token, cryptoImpl))) throw notOurAgent();
      return token;
    },

    /**
     * Any authenticated call: a challenge of its own first, then the request, to the same
     * port and with the same token the listener just proved. One loopback round trip more
     * than the request alone; never skipped, never shared with another request.
     */
    async call(path, body) {
      const current = requireToken();
      const base = `http://127.0.0.1:${port()}`;
      await prove(base, current);
      return post(base, path, body, { bearer: current });
    },
  };
}
