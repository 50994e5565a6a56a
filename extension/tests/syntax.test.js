// Every script Chrome loads must at least parse: a syntax error in a page the unit
// tests do not import (the popup, the options page) would otherwise only show up as
// a blank popup.

import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { readFile, readdir } from "node:fs/promises";
import { dirname, join, relative } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";

const EXTENSION = join(dirname(fileURLToPath(import.meta.url)), "..");

/** Parse `source` as an ES module without running it; the error text, or null. */
function parseError(source) {
  return new Promise((resolve) => {
    // The source goes in on stdin: for a plain ".js" file with no package.json,
    // `node --check FILE` may guess CommonJS and skip module code.
    const child = spawn(process.execPath, ["--input-type=module", "--check"], { stdio: ["pipe", "ignore", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (chunk) => (stderr += chunk));
    child.on("close", (code) => resolve(code === 0 ? null : stderr.split("\n").find((l) => l.includes("Error")) ?? stderr));
    child.stdin.end(source);
  });
}

async function scripts(dir) {
  const out = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory() && entry.name !== "tests") out.push(...(await scripts(path)));
    else if (entry.isFile() && entry.name.endsWith(".js")) out.push(path);
  }
  return out;
}

test("every extension script parses", async () => {
  const files = await scripts(EXTENSION);
  assert.ok(files.length > 20, `found only ${files.length} scripts`);
  const failures = [];
  await Promise.all(
    files.map(async (file) => {
      const error = await parseError(await readFile(file, "utf8"));
      if (error) failures.push(`${relative(EXTENSION, file)}: ${error}`);
    }),
  );
  assert.deepEqual(failures, []);
});
