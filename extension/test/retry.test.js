import assert from "node:assert/strict";
import { test } from "node:test";
import { Crm } from "../src/shared/api.js";
import { backoffMs, retryAfterMs, withRetry } from "../src/shared/retry.js";

function response(status, body = {}, headers = {}) {
  return new Response(JSON.stringify(body), { status, headers: { "Content-Type": "application/json", ...headers } });
}

function recorder() {
  const waits = [];
  return { waits, sleep: async (ms) => waits.push(ms) };
}

test("5xx then success: exponential backoff between attempts", async () => {
  const { waits, sleep } = recorder();
  const answers = [response(502), response(503), response(202, { job_id: 7 })];
  const got = await withRetry(async () => answers.shift(), { baseMs: 100, sleep, random: () => 0 });
  assert.equal(got.status, 202);
  assert.deepEqual(waits, [100, 200]);
});

test("Retry-After is honoured (seconds and HTTP date) on 429 and 503", async () => {
  const { waits, sleep } = recorder();
  const answers = [response(429, {}, { "Retry-After": "2" }), response(503, {}, { "Retry-After": "1" }), response(202)];
  await withRetry(async () => answers.shift(), { baseMs: 100, sleep });
  assert.deepEqual(waits, [2000, 1000]);
  assert.equal(retryAfterMs(new Date(Date.now() + 5000).toUTCString()) > 3000, true);
  assert.equal(retryAfterMs("soon"), null);
  assert.equal(retryAfterMs("99999"), 60_000, "capped");
});

test("network errors are retried; after 3 attempts the error says so", async () => {
  const { waits, sleep } = recorder();
  let calls = 0;
  await assert.rejects(
    withRetry(async () => {
      calls += 1;
      throw new TypeError("Failed to fetch");
    }, { baseMs: 10, sleep, random: () => 0 }),
    (error) => error.retryable && error.attempts === 3 && /network error/.test(error.message),
  );
  assert.equal(calls, 3);
  assert.deepEqual(waits, [10, 20]);
});

test("a 4xx (other than 429) is final at once, with the problem's detail", async () => {
  const { waits, sleep } = recorder();
  let calls = 0;
  await assert.rejects(
    withRetry(async () => {
      calls += 1;
      return response(422, { title: "Invalid input", detail: "leads: at least 1 item" });
    }, { sleep }),
    (error) => error.status === 422 && error.message === "leads: at least 1 item" && !error.retryable,
  );
  assert.equal(calls, 1);
  assert.deepEqual(waits, []);
  assert.ok(backoffMs(3, 1000, () => 1) <= 5000);
});

test("Crm: an expired access token is refreshed once (rotated tokens saved) and the call repeated", async () => {
  let auth = { access_token: "old", refresh_token: "r1", email: "a@b.c" };
  const calls = [];
  const fetchImpl = async (url, init = {}) => {
    calls.push([init.method || "GET", url.replace("http://crm.test", ""), init.headers && init.headers.Authorization]);
    if (url.endsWith("/auth/refresh")) return response(200, { access_token: "new", refresh_token: "r2" });
    if (init.headers && init.headers.Authorization === "Bearer old") return response(401, { detail: "expired" });
    return response(202, { job_id: 9, status: "queued", total: 1 });
  };
  const crm = new Crm({ baseUrl: "http://crm.test/", auth: async () => auth, saveAuth: async (a) => (auth = a), fetchImpl, sleep: async () => {} });
  const job = await crm.importBatch({ leads: [{ username: "x" }] });
  assert.equal(job.job_id, 9);
  assert.deepEqual(calls, [
    ["POST", "/api/v1/leads/import", "Bearer old"],
    ["POST", "/api/v1/auth/refresh", undefined],
    ["POST", "/api/v1/leads/import", "Bearer new"],
  ]);
  assert.equal(auth.refresh_token, "r2");
  assert.equal(auth.email, "a@b.c", "the account stays known after a refresh");
});

test("Crm: a refused refresh signs the user out", async () => {
  let auth = { access_token: "old", refresh_token: "gone" };
  const fetchImpl = async (url) => (url.endsWith("/auth/refresh") ? response(401, { detail: "revoked" }) : response(401));
  const crm = new Crm({ baseUrl: "http://crm.test", auth: async () => auth, saveAuth: async (a) => (auth = a), fetchImpl });
  await assert.rejects(crm.context(), (e) => e.status === 401);
  assert.equal(auth, null);
});

test("Crm.hasInbox reads the CRM's OpenAPI document (the DM sender stays off until the endpoint exists)", async () => {
  const spec = (paths) => async () => response(200, { paths });
  const without = new Crm({ baseUrl: "http://crm.test", auth: async () => null, saveAuth: async () => {}, fetchImpl: spec({}) });
  assert.equal(await without.hasInbox(), false);
  const withInbox = new Crm({
    baseUrl: "http://crm.test", auth: async () => null, saveAuth: async () => {},
    fetchImpl: spec({ "/api/v1/conversations/inbound": { post: {} } }),
  });
  assert.equal(await withInbox.hasInbox(), true);
});

test("Crm: concurrent requests meeting an expired token share one refresh (no refresh-token reuse)", async () => {
  let auth = { access_token: "old", refresh_token: "shared-r1" };
  let refreshes = 0;
  const fetchImpl = async (url, init = {}) => {
    if (url.endsWith("/auth/refresh")) {
      refreshes += 1;
      await new Promise((r) => setTimeout(r, 20));
      return response(200, { access_token: "new", refresh_token: "shared-r2" });
    }
    return init.headers.Authorization === "Bearer new" ? response(200, { ok: true }) : response(401);
  };
  const make = () => new Crm({ baseUrl: "http://crm.test", auth: async () => auth, saveAuth: async (a) => (auth = a), fetchImpl });
  const results = await Promise.all([make().context(), make().lookup("instagram", [{ username: "a" }]), make().context()]);
  assert.deepEqual(results, [{ ok: true }, { ok: true }, { ok: true }]);
  assert.equal(refreshes, 1);
  assert.equal(auth.refresh_token, "shared-r2");
});

test("Crm: an import whose refresh the CRM refuses is final at once (a 4xx, not a network error to retry)", async () => {
  let auth = { access_token: "old", refresh_token: "revoked" };
  const calls = [];
  const { waits, sleep } = recorder();
  const fetchImpl = async (url) => {
    calls.push(url.replace("http://crm.test", ""));
    return url.endsWith("/auth/refresh") ? response(401, { detail: "session revoked" }) : response(401, { detail: "expired" });
  };
  const crm = new Crm({ baseUrl: "http://crm.test", auth: async () => auth, saveAuth: async (a) => (auth = a), fetchImpl, sleep });
  await assert.rejects(crm.importBatch({ leads: [{ username: "x" }] }), (e) => e.status === 401 && !e.retryable && e.attempts === 1);
  assert.deepEqual(calls, ["/api/v1/leads/import", "/api/v1/auth/refresh"]);
  assert.deepEqual(waits, [], "no backoff: signing in again is the only way on");
  assert.equal(auth, null, "signed out: the popup asks for the password");
});

test("a refresh that meets a 503 stays retryable (the CRM is busy, the session may be fine)", async () => {
  const { waits, sleep } = recorder();
  let calls = 0;
  const { SendError } = await import("../src/shared/retry.js");
  const got = await withRetry(async () => {
    calls += 1;
    if (calls === 1) throw new SendError("Service Unavailable", { status: 503 });
    return response(202, { job_id: 1 });
  }, { baseMs: 10, sleep, random: () => 0 });
  assert.equal(got.status, 202);
  assert.deepEqual(waits, [10]);
});
