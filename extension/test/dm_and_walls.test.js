import assert from "node:assert/strict";
import { test } from "node:test";
import { detect } from "./helpers.js";

test("Instagram direct thread: the lead and each message with its direction", () => {
  const result = detect("ig_direct.html", "https://www.instagram.com/direct/t/340282366841710300949128/");
  assert.equal(result.kind, "dm");
  assert.equal(result.recognised, true);
  assert.deepEqual(result.thread.lead, {
    platform: "instagram",
    username: "ana.souza",
    profile_url: "https://www.instagram.com/ana.souza/",
    full_name: "Ana Souza",
  });
  assert.equal(result.thread.external_thread_id, "340282366841710300949128");
  assert.deepEqual(
    result.thread.messages.map((m) => [m.direction, m.body, m.external_id]),
    [
      ["inbound", "Oi! Vocês entregam em Campinas?", "m1"],
      ["outbound", "Entregamos sim, a taxa é R$ 15.", "m2"],
      ["inbound", "Perfeito, quero encomendar.", "m3"],
    ],
  );
  assert.equal(result.thread.messages[0].sent_at, "2026-11-20T14:02:00.000Z");
});

test("LinkedIn messaging thread: grouped messages keep their sender; ours are outbound", () => {
  const result = detect("li_messaging.html", "https://www.linkedin.com/messaging/thread/2-ZmE0YjQ=/");
  assert.equal(result.thread.lead.username, "ana-souza-123");
  assert.equal(result.thread.lead.full_name, "Ana Souza");
  assert.deepEqual(
    result.thread.messages.map((m) => [m.direction, m.body]),
    [
      ["inbound", "Hi! Saw your post about the CRM."],
      ["inbound", "Can we talk on Monday?"],
      ["outbound", "Sure, 10am works."],
    ],
  );
});

test("a thread URL whose markup is unknown is 'not recognised' (no half thread)", () => {
  const result = detect("unrelated.html", "https://www.instagram.com/direct/t/123/");
  assert.equal(result.kind, "dm");
  assert.equal(result.recognised, false);
});

test("Instagram walls: rate limit dialog, login form, challenge URL", () => {
  assert.equal(detect("ig_rate_limit.html", "https://www.instagram.com/acme.store/followers/").wall.kind, "rate_limit");
  assert.equal(detect("ig_login_wall.html", "https://www.instagram.com/acme.store/").wall.kind, "login");
  assert.equal(detect("unrelated.html", "https://www.instagram.com/challenge/?next=/").wall.kind, "challenge");
  assert.equal(detect("ig_profile_en.html", "https://www.instagram.com/ana.souza/").wall, undefined);
});
