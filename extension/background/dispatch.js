// One table of named message handlers instead of a switch: a message is
// `{type, payload}`, the reply is `{ok: true, value}` or `{ok: false, error: {code, message}}`.

export class HandlerError extends Error {
  constructor(code, message) {
    super(message);
    this.code = code;
  }
}

/**
 * @param {Record<string, (payload: object, sender: object) => unknown>} handlers
 * @param {{before?: () => Promise<void>}} options  `before` gates every handler (the worker's `ready`)
 */
export function createDispatcher(handlers, { before } = {}) {
  const table = new Map(Object.entries(handlers));
  return async function dispatch(message, sender) {
    const type = message?.type;
    if (typeof type !== "string" || !table.has(type)) {
      return { ok: false, error: { code: "unknown_message", message: `unknown message type: ${String(type)}` } };
    }
    try {
      if (before) await before();
      const value = await table.get(type)(message.payload ?? {}, sender);
      return { ok: true, value: value ?? null };
    } catch (error) {
      const code = typeof error?.code === "string" ? error.code : "internal";
      return { ok: false, error: { code, message: String(error?.message ?? error) } };
    }
  };
}
