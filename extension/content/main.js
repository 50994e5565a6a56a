// Entry point of the content script: find the site's composers, keep a Composer
// for each while it is on the page, and install the Post gate. Single-page
// navigation is followed with a MutationObserver; every composer tears down
// through its own AbortController.

import { createAdapter } from "./adapter.js";
import { Composer } from "./composer.js";
import { installGate } from "./gate.js";
import { send } from "./messaging.js";
import { siteForHost } from "./selectors.js";
import { FindingCard } from "./ui/card.js";

const SCAN_INTERVAL_MS = 150;

async function start() {
  const site = siteForHost(location.hostname);
  if (site == null) return;
  const reply = await send("settings");
  const settings = reply.ok ? reply.value : { failMode: "open", justificationMin: 0, enabledSites: [site] };
  if (!settings.enabledSites.includes(site)) return;

  const adapter = createAdapter(site);
  const page = new AbortController();
  const composers = new Map(); // editor -> {composer, controller}
  const reported = new Set();

  const reportDrift = (what, detail) => {
    if (reported.has(what)) return;
    reported.add(what);
    console.warn(`PostGuard: ${site} markup changed (${what}); checks may be incomplete.`);
    send("drift", { site, what, detail });
  };

  let card = null;
  const cardFor = () => {
    card ??= new FindingCard({
      onApply: (finding, suggestion) => ownerOf(finding)?.applySuggestion(finding, suggestion),
      onReport: (finding) => ownerOf(finding)?.report(finding) ?? false,
      onEscape: () => ownerOf(card.finding)?.editor.focus(),
    });
    return card;
  };
  const ownerOf = (finding) => {
    for (const { composer } of composers.values()) if (composer.findings.includes(finding)) return composer;
    return null;
  };

  const scan = () => {
    for (const [editor, entry] of composers) {
      if (!editor.isConnected) {
        entry.controller.abort();
        composers.delete(editor);
      }
    }
    for (const editor of adapter.findEditors(document)) {
      if (composers.has(editor)) continue;
      const controller = new AbortController();
      page.signal.addEventListener("abort", () => controller.abort(), { signal: controller.signal });
      const composer = new Composer({
        editor,
        adapter,
        settings,
        card: cardFor(),
        signal: controller.signal,
        onDrift: reportDrift,
      });
      composers.set(editor, { composer, controller });
    }
  };

  let scheduled = null;
  const scheduleScan = () => {
    scheduled ??= setTimeout(() => {
      scheduled = null;
      scan();
    }, SCAN_INTERVAL_MS);
  };
  new MutationObserver(scheduleScan).observe(document.documentElement, { childList: true, subtree: true });
  window.addEventListener("popstate", scheduleScan, { signal: page.signal });

  document.addEventListener(
    "focusin",
    (event) => {
      const target = event.target;
      if (target instanceof Element && adapter.isUnknownEditable(target) && !target.closest("postguard-ui")) {
        reportDrift("editor", "an editable text box matched no known composer");
      }
    },
    { signal: page.signal },
  );

  installGate(() => Array.from(composers.values(), (e) => e.composer), page.signal);
  scan();
}

start();
