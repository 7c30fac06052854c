// Capture the requests the official JS workflow SDK (@upstash/workflow) sends to QStash.
//
// globalThis.fetch is replaced by a simulated QStash that records every request, keeps each
// run's steps and re-delivers them to serve()'s handler, so the handler publishes its next
// steps, until the run ends. Writes tests/vectors/workflow_js.json (see README.md here).
//
//   cd <a scratch folder> && npm install @upstash/workflow @upstash/qstash
//   NODE_PATH=<scratch>/node_modules node tools/capture_workflow/capture_js.mjs
import { createRequire } from "node:module";
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const require = createRequire(path.join(process.env.NODE_PATH ?? ".", "x.js"));
const { serve, Client: WorkflowClient } = require("@upstash/workflow");
const { Client } = require("@upstash/qstash");
const packageVersion = (name) => JSON.parse(readFileSync(path.join(path.dirname(require.resolve(name)), "package.json"), "utf8")).version;
const workflowVersion = packageVersion("@upstash/workflow");
const qstashVersion = packageVersion("@upstash/qstash");

const WORKFLOW_URL = "https://wf.example/api/workflow";
const OTHER_URL = "https://wf.example/api/other";
const FAILURE_URL = "https://wf.example/api/failure";
const OUT = path.join(path.dirname(fileURLToPath(import.meta.url)), "../../tests/vectors/workflow_js.json");

const b64 = (text) => Buffer.from(text).toString("base64");
let scenario = "";
const captured = [];
let pending = [];
const runs = new Map(); // runId -> {initial, steps}

function publish(destination, headers, body) {
  const lower = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
  const runId = lower["upstash-workflow-runid"] ?? "";
  const forwarded = {};
  for (const [k, v] of Object.entries(lower)) {
    if (k.startsWith("upstash-forward-")) forwarded[k.slice("upstash-forward-".length)] = v;
  }
  if (destination === WORKFLOW_URL) {
    if (lower["upstash-workflow-init"] === "true") runs.set(runId, { initial: body ?? "", steps: [] });
    const run = runs.get(runId);
    if (!run) return;
    let extra = [];
    if (lower["upstash-workflow-init"] !== "true") {
      const step = JSON.parse(body);
      if (step.targetStep) extra = [step]; // a plan step: delivered once, not kept
      else run.steps.push(step);
    }
    pending.push([WORKFLOW_URL, { ...forwarded, "upstash-workflow-runid": runId }, payload(run, extra)]);
  } else if (lower["upstash-callback"]) {
    const callback = { "upstash-workflow-runid": runId };
    for (const [k, v] of Object.entries(lower)) {
      if (k.startsWith("upstash-callback-forward-")) callback[k.slice("upstash-callback-forward-".length)] = v;
      if (k.startsWith("upstash-callback-workflow-")) callback["upstash-workflow-" + k.slice("upstash-callback-workflow-".length)] = v;
    }
    const answer = { status: 200, header: { "content-type": ["application/json"] }, body: b64('{"ok":true}'), retried: 0, maxRetries: 0, url: destination };
    pending.push([lower["upstash-callback"], callback, JSON.stringify(answer)]);
  }
}

function payload(run, extra) {
  const items = [{ messageId: "msg_init", body: b64(run.initial), callType: "step" }];
  [...run.steps, ...extra].forEach((step, i) => items.push({ messageId: `msg_${i}`, body: b64(JSON.stringify(step)), callType: "step" }));
  return JSON.stringify(items);
}

globalThis.fetch = async (input, init = {}) => {
  const url = new URL(typeof input === "string" ? input : input.url);
  const headers = Object.entries(Object.fromEntries(new Headers(init.headers ?? {}).entries()));
  const body = typeof init.body === "string" ? init.body : "";
  const pathText = decodeURI(url.pathname) + url.search;
  captured.push({ scenario, method: init.method ?? "GET", path: pathText, headers, body });
  const json = (value) => new Response(JSON.stringify(value), { status: 200, headers: { "content-type": "application/json" } });
  if (pathText === "/v2/batch") {
    const messages = JSON.parse(body);
    for (const m of messages) publish(m.destination, m.headers ?? {}, m.body ?? "");
    return json(messages.map(() => ({ messageId: "msg_1" })));
  }
  if (pathText.startsWith("/v2/publish/")) {
    publish(pathText.slice("/v2/publish/".length), Object.fromEntries(headers), body);
    return json({ messageId: "msg_1" });
  }
  if (pathText.startsWith("/v2/notify/")) return json([]);
  return json({});
};

async function drive(name, route, options = {}, trigger = null) {
  scenario = name;
  pending = [];
  const qstashClient = new Client({ token: "TOKEN", baseUrl: "https://qstash.upstash.io" });
  const { handler } = serve(route, { qstashClient, url: WORKFLOW_URL, ...options });
  if (trigger) {
    const client = new WorkflowClient({ token: "TOKEN", baseUrl: "https://qstash.upstash.io" });
    await client.trigger({ url: WORKFLOW_URL, body: { order: 1 }, ...trigger });
  } else {
    await handler(new Request(WORKFLOW_URL, { method: "POST", body: '{"order":1}', headers: { "content-type": "application/json" } }));
  }
  for (let i = 0; i < 60 && pending.length; i++) {
    const [url, headers, body] = pending.shift();
    if (url !== WORKFLOW_URL) continue;
    await handler(new Request(url, { method: "POST", body, headers }));
  }
}

const other = { routeFunction: async () => "done", options: { url: OTHER_URL }, workflowId: "other" };

const scenarios = [
  ["runs", async (c) => { const a = await c.run("first", () => "one"); await c.run("second", () => a + " two"); }],
  ["sleeps", async (c) => { await c.sleep("wait", 90); await c.sleep("wait-more", "2h"); await c.sleepUntil("until", 1893456000); await c.run("after", () => 1); }],
  ["calls", async (c) => {
    await c.call("get", { url: "https://api.example/items", method: "GET" });
    await c.call("post", { url: "https://api.example/items", method: "POST", body: '{"a":1}', headers: { authorization: "Bearer k" }, retries: 2, retryDelay: "pow(2, retried) * 1000", timeout: 30, flowControl: { key: "api", parallelism: 2, rate: 5, period: "45m" } });
    await c.run("after", () => "done");
  }],
  ["parallel", async (c) => { await Promise.all([c.run("a", () => 1), c.run("b", () => 2), c.sleep("c", 10)]); await c.run("after", () => 3); }],
  ["notify", async (c) => { await c.run("before", () => 1); await c.notify("notify", "event-1", { ok: true }); await c.run("after", () => 2); }],
  ["invoke", async (c) => { await c.run("before", () => 1); await c.invoke("invoke", { workflow: other, body: { x: 1 }, retries: 1, flowControl: { key: "inv", rate: 1 } }); }],
];

for (const [name, route] of scenarios) await drive(name, route);
await drive("runs, failure URL", scenarios[0][1], {}, { failureUrl: FAILURE_URL });
await drive("runs, failure function", scenarios[0][1], { failureFunction: async () => "failed" });
await drive("calls, failure function", scenarios[2][1], { failureFunction: async () => "failed" });
await drive("runs, trigger with retries, delay, flow control", scenarios[0][1], {}, { retries: 5, retryDelay: "1000 * (1 + retried)", delay: "10s", flowControl: { key: "tenant", parallelism: 3, rate: 10, period: 60 }, label: "nightly" });
await drive("calls, trigger with failure URL", scenarios[2][1], {}, { failureUrl: FAILURE_URL, retries: 0 });

const cases = [];
const seen = {};
for (const r of captured) {
  if (r.method !== "POST" || !/^\/v2\/(publish|enqueue|batch)/.test(r.path)) continue;
  seen[r.scenario] = (seen[r.scenario] ?? 0) + 1;
  const input = { path: r.path, headers: r.headers };
  if (r.path.startsWith("/v2/batch")) {
    input.batch = JSON.parse(r.body).map((m) => ({ destination: m.destination, ...(m.queue ? { queue: m.queue } : {}), headers: Object.entries(m.headers ?? {}) }));
  }
  cases.push({ description: `${r.scenario}, request ${seen[r.scenario]}: POST ${r.path.split("?")[0].slice(0, 60)}`, input });
}
const others = captured.filter((r) => !(r.method === "POST" && /^\/v2\/(publish|enqueue|batch)/.test(r.path))).map((r) => `${r.method} ${r.path.split("/").slice(0, 3).join("/")}`);
const document = {
  description: `Requests the official JS workflow SDK sends to QStash, captured with fetch stubbed: @upstash/workflow ${workflowVersion} on @upstash/qstash ${qstashVersion} (Node ${process.version}); regenerate with tools/capture_workflow/capture_js.mjs. Other endpoints it called (not decoded here): ${[...new Set(others)].join(", ")}. See tests/vectors/README.md for the format.`,
  parser: "workflow_js",
  cases,
};
writeFileSync(OUT, JSON.stringify(document, null, 1) + "\n");
console.log(`${cases.length} requests -> ${OUT}; ${captured.length} captured in all`);
