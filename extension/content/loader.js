// Manifest content scripts cannot be ES modules; this classic script loads the real
// entry point as one, so the extension ships without a build step.
(async () => {
  try {
    await import(chrome.runtime.getURL("content/main.js"));
  } catch (error) {
    console.error("PostGuard: content script failed to load", error);
  }
})();
