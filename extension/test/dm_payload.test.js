import assert from "node:assert/strict";
import { test } from "node:test";
import { inboundMessages } from "../src/shared/dm.js";
import { detect } from "./helpers.js";

test("a captured thread becomes the inbox's inbound messages, in order, with stable external ids", () => {
  const { thread } = detect("ig_direct.html", "https://www.instagram.com/direct/t/340282366841710300949128/");
  const messages = inboundMessages(thread);
  assert.deepEqual(messages[0], {
    lead: { platform: "instagram", username: "ana.souza", profile_url: "https://www.instagram.com/ana.souza/", full_name: "Ana Souza" },
    channel: "manual",
    direction: "inbound",
    external_id: "instagram:340282366841710300949128:m1",
    body: "Oi! Vocês entregam em Campinas?",
    sent_at: "2026-11-20T14:02:00.000Z",
  });
  assert.deepEqual(messages.map((m) => m.direction), ["inbound", "outbound", "inbound"]);
});

test("messages without ids get a fingerprint that survives a second capture; repeats stay distinct", () => {
  const thread = {
    platform: "linkedin",
    external_thread_id: "2-abc",
    lead: { platform: "linkedin", username: "ana", extra: "dropped" },
    messages: [
      { direction: "inbound", body: "ok", sent_at: null, external_id: null },
      { direction: "outbound", body: "Thanks!", sent_at: "2026-11-20T10:00:00Z", external_id: null },
      { direction: "inbound", body: "ok", sent_at: null, external_id: null },
      { direction: "inbound", body: "   ", sent_at: null, external_id: null },
    ],
  };
  const first = inboundMessages(thread);
  const again = inboundMessages(structuredClone(thread));
  assert.deepEqual(first.map((m) => m.external_id), again.map((m) => m.external_id));
  assert.equal(first.length, 3, "blank bodies are not messages");
  assert.notEqual(first[0].external_id, first[2].external_id);
  assert.ok(first.every((m) => m.external_id.startsWith("linkedin:2-abc:")));
  assert.deepEqual(first[0].lead, { platform: "linkedin", username: "ana" });
  assert.equal(first[0].sent_at, undefined);
});
