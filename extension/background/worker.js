// PostGuard's service worker. Chrome may stop it at any moment, so every listener
// is registered synchronously at start, all state lives in chrome.storage, and
// every handler waits for one `ready` promise that reloads that state.

import { createAgentClient } from "./agent_client.js";
import { createDispatcher } from "./dispatch.js";
import { createHandlers } from "./handlers.js";
import { createNativePairing, nativeSender } from "./native.js";
import { loadSettings } from "./settings.js";

const state = { settings: null, token: null };

async function load() {
  state.settings = await loadSettings(chrome.storage);
  const { token = null } = await chrome.storage.local.get("token");
  state.token = token;
}

let ready = load();

const client = createAgentClient({
  port: () => state.settings.agentPort,
  token: () => state.token,
});

// Pairs through the native messaging host `postguard install` registers, when there is one.
const native = createNativePairing({
  send: nativeSender(chrome.runtime),
  client,
  state,
  local: chrome.storage.local,
  session: chrome.storage.session,
});

const dispatch = createDispatcher(
  createHandlers({ client, state, session: chrome.storage.session, local: chrome.storage.local, native }),
  { before: () => ready },
);

/** At install and browser start: pair by ourselves if we can, before anyone asks. */
async function pairByItself() {
  await ready;
  if (state.token == null) await native.pair({ force: true });
}

chrome.runtime.onMessage.addListener((message, sender, sendResponse) => {
  if (sender.id !== chrome.runtime.id) return false;
  dispatch(message, sender).then(sendResponse);
  return true; // the reply is sent asynchronously
});

chrome.storage.onChanged.addListener((changes, area) => {
  if (area === "managed" || (area === "local" && Object.keys(changes).some((k) => k !== "ack"))) {
    ready = load();
  }
});

chrome.runtime.onInstalled.addListener(({ reason }) => {
  // First run: open the popup page in a tab so the employee pairs and reads the policy.
  if (reason === "install") chrome.tabs?.create?.({ url: chrome.runtime.getURL("popup/popup.html?welcome=1") });
  pairByItself().catch(() => {});
});

chrome.runtime.onStartup.addListener(() => {
  pairByItself().catch(() => {});
});
