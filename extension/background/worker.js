// PostGuard's service worker. Chrome may stop it at any moment, so every listener
// is registered synchronously at start, all state lives in chrome.storage, and
// every handler waits for one `ready` promise that reloads that state.

import { createAgentClient } from "./agent_client.js";
import { createDispatcher } from "./dispatch.js";
import { createHandlers } from "./handlers.js";
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

const dispatch = createDispatcher(
  createHandlers({ client, state, session: chrome.storage.session, local: chrome.storage.local }),
  { before: () => ready },
);

chrome.runtime.onMessage.addListener((message, sender, sendResponse) => {
  if (sender.id !== chrome.runtime.id) return false;
  dispatch(message, sender).then(sendResponse);
  return true; // the reply is sent asynchronously
});

chrome.storage.onChanged.addListener((changes, area) => {
  if (area === "managed" || (area === "local" && Object.keys(changes).some((k) => k !== "ack"))) {
    client.reset();
    ready = load();
  }
});

chrome.runtime.onInstalled.addListener(({ reason }) => {
  // First run: open the popup page in a tab so the employee pairs and reads the policy.
  if (reason === "install") chrome.tabs?.create?.({ url: chrome.runtime.getURL("popup/popup.html?welcome=1") });
});
