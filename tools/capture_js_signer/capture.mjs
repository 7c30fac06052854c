// Capture Upstash-Signature tokens made by the official JS SDK's signer, with the JS SDK's own
// Receiver verdict, into ../../tests/vectors/signature.json (cases whose description starts
// with "JS SDK signer:" are replaced; the others are kept). See README.md.
//
// The signer is the one in @upstash/qstash's src/receiver.test.ts (createUpstashSingature):
// jose's SignJWT with header {alg: HS256, typ: JWT}, the key's UTF-8 bytes, and
// body = createHash("sha256").update(body).digest("base64url"). Time is fixed so the tokens
// are reproducible: Date is replaced by one that always says NOW.
import { createHash } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { SignJWT } from "jose";
import { Receiver } from "@upstash/qstash";

const NOW = 1700000000;
const CURRENT = "sig_TESTcurrent0000000000000000A";
const NEXT = "sig_TESTnext00000000000000000000B";
const DEV_CURRENT = "sig_7kYjw48mhY7kAjqNGcy6cr29RJ6r";
const DEV_NEXT = "sig_5ZB6DVzB1wjE8S6rZ7eenA8Pdnhs";
const URL_ = "https://example.com/api/webhook";

const RealDate = Date;
globalThis.Date = class extends RealDate {
  constructor(...args) {
    if (args.length === 0) super(NOW * 1000);
    else super(...args);
  }
  static now() {
    return NOW * 1000;
  }
};

const pkg = JSON.parse(
  readFileSync(new URL("./node_modules/@upstash/qstash/package.json", import.meta.url), "utf8")
);
const PEER = `@upstash/qstash ${pkg.version}`;

async function jsSign({ url, body, key, jti, iatShift = 0, exp = 300 }) {
  const now = Math.floor(Date.now() / 1000);
  const payload = {
    iss: "Upstash",
    sub: url,
    exp: now + exp,
    nbf: now,
    iat: now + iatShift,
    jti,
    body: createHash("sha256").update(body).digest("base64url"),
  };
  return new SignJWT(payload)
    .setProtectedHeader({ alg: "HS256", typ: "JWT" })
    .sign(Buffer.from(key, "utf8"));
}

async function receiverVerdict(keys, token, body, url) {
  if (typeof body !== "string") return undefined; // the Receiver takes text only
  try {
    await new Receiver({ currentSigningKey: keys[0], nextSigningKey: keys[1] }).verify({
      signature: token,
      body,
      url: url ?? undefined,
    });
    return "OK";
  } catch (error) {
    return `${error.name}: ${error.message}`;
  }
}

const specs = [
  { what: "JSON body, current key", body: '{"hello":"world"}', key: CURRENT },
  { what: "JSON body, next key", body: '{"hello":"world"}', key: NEXT, matched: "next" },
  { what: "empty body", body: "", key: CURRENT },
  { what: "UTF-8 body", body: '{"name":"Jürgen ✓"}', key: CURRENT },
  { what: "multi-line body with spaces", body: "  multiline\nstring\n  ", key: CURRENT },
  { what: "emoji body", body: "🚀✨🔥", key: CURRENT },
  {
    what: "binary body (bytes that are not UTF-8, hashed as bytes)",
    body: Buffer.from([0, 255, 254, 128, 10, 13, 192]),
    key: CURRENT,
  },
  {
    what: "dev server keys, localhost URL",
    body: "hello",
    key: DEV_CURRENT,
    keys: [DEV_CURRENT, DEV_NEXT],
    url: "http://localhost:3000/api",
  },
  { what: "URL with a query string", body: "x", key: CURRENT, url: URL_ + "?a=1&b=%20" },
  {
    what: "body changed after signing",
    body: '{"hello":"world"}',
    key: CURRENT,
    received: '{"hello":"world"} ',
    error: "signature.body_mismatch",
  },
  {
    what: "iat 100 s ahead (jose does not check iat)",
    body: "x",
    key: CURRENT,
    iatShift: 100,
    error: "signature.issued_in_future",
  },
  { what: "signed with an unknown key", body: "x", key: "sig_UNKNOWN000000000000000000000", error: "signature.bad_signature" },
];

const cases = [];
for (const [index, spec] of specs.entries()) {
  const url = spec.url ?? URL_;
  const keys = spec.keys ?? [CURRENT, NEXT];
  const jti = `jwt_JSSIGNER${String(index).padStart(4, "0")}`;
  const token = await jsSign({ url, body: spec.body, key: spec.key, jti, iatShift: spec.iatShift });
  const received = spec.received ?? spec.body;
  const input = { token };
  if (typeof received === "string") input.body = received;
  else input.body_base64 = received.toString("base64");
  const entry = {
    description: `JS SDK signer: ${spec.what}`,
    input,
    options: { keys, now: NOW, url },
  };
  if (spec.error) {
    entry.error = { code: spec.error };
  } else {
    entry.output = {
      issuer: "Upstash",
      subject: url,
      expires: NOW + 300,
      not_before: NOW,
      issued_at: NOW + (spec.iatShift ?? 0),
      jwt_id: jti,
      body_hash: createHash("sha256").update(spec.body).digest("base64url"),
      key: spec.matched ?? "current",
    };
  }
  const verdict = await receiverVerdict(keys, token, received, url);
  if (verdict !== undefined) entry.peers = { [PEER]: verdict };
  cases.push(entry);
}

const path = fileURLToPath(new URL("../../tests/vectors/signature.json", import.meta.url));
const document = JSON.parse(readFileSync(path, "utf8"));
document.cases = [
  ...document.cases.filter((c) => !c.description.startsWith("JS SDK signer:")),
  ...cases,
];
writeFileSync(path, JSON.stringify(document, null, 1) + "\n");
console.log(`wrote ${cases.length} JS signer cases to ${path}`);
