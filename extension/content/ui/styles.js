// Styles of everything PostGuard draws, scoped to its own shadow root so the
// site's CSS cannot reach in and ours cannot leak out.

export const UI_CSS = `
:host { all: initial; }
* { box-sizing: border-box; }
.layer {
  position: fixed; inset: 0; pointer-events: none; z-index: 2147483000;
  font: 13px/1.45 -apple-system, BlinkMacSystemFont, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
  color: #1f2937;
}
.sr-only { position: absolute; width: 1px; height: 1px; margin: -1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }

/* Status pill */
.pill {
  position: fixed; pointer-events: auto; display: inline-flex; align-items: center; gap: 6px;
  height: 26px; padding: 0 10px 0 6px; border-radius: 13px; border: 1px solid transparent;
  font: 600 12px/1 inherit; font-family: inherit; cursor: pointer; white-space: nowrap;
  box-shadow: 0 1px 2px rgba(15, 23, 42, .08); transition: background-color .15s, color .15s;
}
.pill[hidden] { display: none; }
.pill:focus-visible { outline: 2px solid #2563eb; outline-offset: 2px; }
.pill .dot { width: 8px; height: 8px; border-radius: 50%; background: currentColor; flex: none; }
.pill .logo { width: 14px; height: 14px; border-radius: 3px; flex: none; }
.pill .detail:empty { display: none; }
.pill[data-kind="clean"] { background: #ecfdf3; color: #047857; border-color: #a7f3d0; }
.pill[data-kind="info"] { background: #eff6ff; color: #1d4ed8; border-color: #bfdbfe; }
.pill[data-kind="warn"] { background: #fffbeb; color: #b45309; border-color: #fcd34d; }
.pill[data-kind="block"] { background: #fef2f2; color: #b91c1c; border-color: #fca5a5; }
.pill[data-kind="offline"], .pill[data-kind="checking"] { background: #f8fafc; color: #475569; border-color: #cbd5e1; }
.pill[data-kind="unpaired"] { background: #f5f3ff; color: #6d28d9; border-color: #c4b5fd; }
.pill[data-kind="checking"] .dot { animation: pulse 1s ease-in-out infinite; }
@keyframes pulse { 50% { opacity: .3; } }

/* Finding card */
.card {
  position: fixed; pointer-events: auto; z-index: 2; width: 360px; max-width: calc(100vw - 16px);
  background: #fff; border-radius: 12px; border: 1px solid #e5e7eb;
  box-shadow: 0 12px 32px rgba(15, 23, 42, .18), 0 2px 6px rgba(15, 23, 42, .08);
  overflow: hidden;
}
.card[hidden] { display: none; }
.card .bar { height: 4px; }
.card[data-severity="warn"] .bar { background: #f59e0b; }
.card[data-severity="block"] .bar { background: #dc2626; }
.card[data-severity="info"] .bar { background: #3b82f6; }
.card .body { padding: 12px 14px 4px; }
.card .meta { display: flex; align-items: center; gap: 8px; margin-bottom: 6px; }
.badge { display: inline-block; padding: 2px 8px; border-radius: 999px; font-size: 11px; font-weight: 700; text-transform: uppercase; letter-spacing: .04em; }
.badge[data-severity="warn"] { background: #fef3c7; color: #92400e; }
.badge[data-severity="block"] { background: #fee2e2; color: #991b1b; }
.badge[data-severity="info"] { background: #dbeafe; color: #1e40af; }
.category { color: #6b7280; font-size: 12px; font-weight: 600; }
.card .message { font-size: 14px; font-weight: 600; color: #111827; margin: 0 0 6px; }
.card .consequence { margin: 0 0 8px; color: #4b5563; }
.card .policy { margin: 0 0 10px; color: #4b5563; font-size: 12px; }
.card .policy a { color: #1d4ed8; text-decoration: none; font-weight: 600; }
.card .policy a:hover { text-decoration: underline; }
.card ul.advice { margin: 0 0 10px; padding-left: 18px; color: #374151; }
.card ul.advice li { margin: 2px 0; }
.card .suggestions { display: flex; flex-wrap: wrap; gap: 6px; margin: 0 0 10px; }
.card .why { color: #6b7280; font-size: 12px; margin: 0 0 8px; }
.card .why summary { cursor: pointer; width: max-content; }
.card .why p { margin: 4px 0 0; font-family: ui-monospace, SFMono-Regular, Menlo, monospace; font-size: 11px; }
.card .foot { display: flex; justify-content: space-between; align-items: center; padding: 8px 14px; background: #f9fafb; border-top: 1px solid #f1f5f9; }
.card .hint { color: #6b7280; font-size: 11px; }

button.chip, button.link, button.primary, button.secondary, button.danger {
  font: inherit; cursor: pointer; border-radius: 8px; pointer-events: auto;
}
button.chip { border: 1px solid #bbf7d0; background: #f0fdf4; color: #166534; padding: 4px 10px; font-weight: 600; }
button.chip:hover { background: #dcfce7; }
button.link { border: 0; background: none; color: #6b7280; padding: 2px 0; font-size: 12px; text-decoration: underline; text-underline-offset: 2px; }
button.link:hover { color: #374151; }
button.primary { border: 1px solid #1d4ed8; background: #2563eb; color: #fff; padding: 8px 14px; font-weight: 600; }
button.primary:hover { background: #1d4ed8; }
button.primary:disabled { background: #93c5fd; border-color: #93c5fd; cursor: not-allowed; }
button.secondary { border: 1px solid #d1d5db; background: #fff; color: #1f2937; padding: 8px 14px; font-weight: 600; }
button.secondary:hover { background: #f3f4f6; }
button:focus-visible, select:focus-visible, textarea:focus-visible, a:focus-visible { outline: 2px solid #2563eb; outline-offset: 2px; }

/* Post gate */
.backdrop {
  position: fixed; inset: 0; z-index: 3; pointer-events: auto; background: rgba(15, 23, 42, .45);
  display: flex; align-items: center; justify-content: center; padding: 16px;
  /* Shown as a popover (in the top layer): undo the browser's popover box, which fits
     its content, centres it with margins and frames it. */
  width: auto; height: auto; max-width: none; max-height: none; margin: 0; border: 0;
  overflow: visible; color: inherit;
}
.dialog {
  width: 520px; max-width: 100%; max-height: calc(100vh - 32px); overflow: auto;
  background: #fff; border-radius: 14px; box-shadow: 0 24px 64px rgba(15, 23, 42, .35);
}
.dialog header { display: flex; gap: 12px; align-items: flex-start; padding: 20px 22px 8px; }
.dialog .icon { flex: none; width: 36px; height: 36px; border-radius: 50%; display: grid; place-items: center; font-weight: 800; font-size: 18px; }
.dialog[data-blocked="false"] .icon { background: #fef3c7; color: #b45309; }
.dialog[data-blocked="true"] .icon { background: #fee2e2; color: #b91c1c; }
.dialog h2 { margin: 0; font-size: 17px; line-height: 1.3; color: #111827; }
.dialog .lead { margin: 4px 0 0; color: #4b5563; }
.dialog ul.findings { list-style: none; margin: 8px 22px; padding: 0; border: 1px solid #e5e7eb; border-radius: 10px; }
.dialog ul.findings li { padding: 10px 12px; border-top: 1px solid #f1f5f9; }
.dialog ul.findings li:first-child { border-top: 0; }
.dialog .f-head { display: flex; align-items: center; gap: 8px; margin-bottom: 2px; }
.dialog .f-message { font-weight: 600; color: #111827; }
.dialog .f-quote { color: #6b7280; font-size: 12px; }
.dialog .f-quote mark[data-severity="block"] { background: #fee2e2; }
.dialog .f-quote mark { background: #fef3c7; color: inherit; padding: 0 2px; border-radius: 3px; }
.dialog .f-policy { font-size: 12px; color: #4b5563; }
.dialog .f-policy a { color: #1d4ed8; }
.dialog .contact { margin: 6px 22px 0; padding: 10px 12px; background: #fef2f2; border-radius: 8px; color: #7f1d1d; }
.dialog form { margin: 8px 22px 0; padding: 12px; background: #f9fafb; border: 1px solid #e5e7eb; border-radius: 10px; }
.dialog form[hidden] { display: none; }
.dialog label { display: block; font-weight: 600; margin: 0 0 4px; color: #374151; }
.dialog select, .dialog textarea {
  width: 100%; font: inherit; color: inherit; border: 1px solid #d1d5db; border-radius: 8px; padding: 8px 10px; background: #fff; margin-bottom: 10px;
}
.dialog textarea { min-height: 84px; resize: vertical; }
.dialog .counter { font-size: 12px; color: #6b7280; margin: -6px 0 4px; }
.dialog .counter[data-ok="true"] { color: #047857; }
.dialog .note { font-size: 12px; color: #6b7280; margin: 0; }
.dialog .error { margin: 10px 22px 0; padding: 8px 12px; background: #fef2f2; color: #991b1b; border-radius: 8px; }
.dialog .error:empty { display: none; }
.dialog footer { display: flex; justify-content: flex-end; gap: 8px; padding: 16px 22px 20px; }
`;

export const PAGE_HIGHLIGHT_NAMES = Object.freeze({
  info: "postguard-info",
  warn: "postguard-warn",
  block: "postguard-block",
});
