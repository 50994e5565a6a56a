// The content script's only channel: messages to the service worker, which alone
// talks to the agent. A reloaded or removed extension reads as "offline".

export async function send(type, payload = {}) {
  try {
    const reply = await chrome.runtime.sendMessage({ type, payload });
    if (reply == null) return { ok: false, error: { code: "offline", message: "no reply from PostGuard" } };
    return reply;
  } catch (error) {
    return { ok: false, error: { code: "offline", message: String(error?.message ?? error) } };
  }
}
