// Zero-touch pairing through Chrome native messaging. `postguard install` registers the
// host "com.postguard.agent" for this user; Chrome starts it only for an extension its
// manifest allows. The host checks that the program on the agent's port is this user's
// agent (the same challenge `postguard pair` makes) and only then returns the agent's
// port and a fresh one-time code. We run the usual mutual exchange with that code
// (agent_client.js pair), so nothing new is trusted: a squatter on the port still gets
// nothing, and no code is typed or shown. With no host registered (a machine set up by
// hand) Chrome refuses the message and the popup's code form is the way to pair.
//
// The port comes through the same channel, so on a shared machine (terminal server,
// VDI) each person's browser reaches the agent their own settings name.

import { AgentError } from "./agent_client.js";
import { normaliseCode } from "./pairing.js";
import { validPort } from "./settings.js";

export const HOST = "com.postguard.agent";
// Between attempts nobody asked for (a status refresh, a check): each starts a process.
export const RETRY_MS = 60_000;
// Past this the host counts as not answering; it gives up by itself after 20 s.
const HOST_TIMEOUT_MS = 25_000;

/** Why automatic pairing did not happen, in words for the popup; null when it did. */
function describe(code, message) {
  if (code === "no_host") return null; // not installed by IT: the code form, as before
  return message ? String(message).slice(0, 300) : `automatic pairing failed (${code})`;
}

/**
 * @param {{send: (message: object) => Promise<object>, client, state, local, session,
 *          now?: () => number}} deps
 *   `send` is chrome.runtime.sendNativeMessage bound to HOST; `state` holds the settings
 *   and the token; `local` and `session` are chrome.storage areas.
 */
export function createNativePairing({ send, client, state, local, session, now = Date.now }) {
  let inflight = null;

  async function ask(type) {
    let timer;
    const deadline = new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error("the native host did not answer")), HOST_TIMEOUT_MS);
    });
    try {
      return await Promise.race([send({ type }), deadline]);
    } finally {
      clearTimeout(timer);
    }
  }

  async function usePort(port) {
    if (!validPort(port) || port === state.settings.agentPort) return;
    await local.set({ hostPort: port });
    state.settings = { ...state.settings, agentPort: port };
  }

  async function attempt() {
    let reply;
    try {
      reply = await ask("pair");
    } catch (error) {
      // "Specified native messaging host not found", a host that crashed, no permission.
      return { paired: false, code: "no_host", message: String(error?.message ?? error) };
    }
    if (reply == null || typeof reply !== "object") {
      return { paired: false, code: "bad_reply", message: "the native host sent an unreadable answer" };
    }
    await usePort(reply.port);
    if (reply.ok !== true) {
      const code = typeof reply.error?.code === "string" ? reply.error.code.slice(0, 40) : "refused";
      return { paired: false, code, message: reply.error?.message };
    }
    if (normaliseCode(reply.code) == null) {
      return { paired: false, code: "bad_reply", message: "the native host sent no usable code" };
    }
    let token;
    try {
      token = await client.pair(reply.code);
    } catch (error) {
      if (!(error instanceof AgentError)) throw error;
      return { paired: false, code: error.code, message: error.message };
    }
    await local.set({ token, pairedBy: "native" });
    state.token = token;
    await session.remove("policyCache");
    return { paired: true, code: "paired" };
  }

  return {
    /**
     * Pair through the host unless it was tried less than RETRY_MS ago (`force` skips
     * that: install, browser start). One attempt at a time; the outcome is kept in
     * session storage for the popup.
     */
    pair({ force = false } = {}) {
      if (inflight) return inflight;
      inflight = (async () => {
        const { nativePairing } = await session.get("nativePairing");
        if (!force && nativePairing && now() - nativePairing.at < RETRY_MS) {
          return { paired: false, code: "later", message: null };
        }
        const outcome = await attempt();
        const why = outcome.paired ? null : describe(outcome.code, outcome.message);
        await session.set({ nativePairing: { at: now(), code: outcome.code, message: why } });
        return outcome;
      })().finally(() => {
        inflight = null;
      });
      return inflight;
    },
  };
}

/** chrome.runtime.sendNativeMessage for HOST, or a sender that always fails without it. */
export function nativeSender(runtime = globalThis.chrome?.runtime) {
  if (typeof runtime?.sendNativeMessage !== "function") {
    return async () => {
      throw new Error("native messaging is not available");
    };
  }
  return (message) => runtime.sendNativeMessage(HOST, message);
}
