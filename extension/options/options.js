// Options page: the user's own settings; IT-managed ones are read-only.

import { loadSettings } from "../background/settings.js";

const form = document.getElementById("form");

async function render() {
  const settings = await loadSettings(chrome.storage);
  for (const key of ["agentPort", "failMode"]) {
    const input = document.getElementById(key);
    input.value = String(settings[key]);
    const managed = settings.managedKeys.includes(key);
    input.disabled = managed;
    document.querySelector(`[data-for="${key}"]`).textContent = managed ? "Set by your organisation" : "";
  }
}

form.addEventListener("submit", async (event) => {
  event.preventDefault();
  const port = Number(document.getElementById("agentPort").value);
  if (!Number.isInteger(port) || port < 1024 || port > 65535) {
    document.getElementById("saved").textContent = "The port must be a number from 1024 to 65535.";
    return;
  }
  await chrome.storage.local.set({ agentPort: port, failMode: document.getElementById("failMode").value });
  document.getElementById("saved").textContent = "Saved.";
});

render();
