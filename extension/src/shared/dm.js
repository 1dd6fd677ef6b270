// A captured DM thread → the CRM inbox's inbound messages (POST /api/v1/conversations/inbound takes one
// message: lead, channel, direction, external_id, body, sent_at). The external id is stable across
// captures of the same thread, so sending a thread twice records each message once.

export const INBOX_CHANNEL = "manual"; // the CRM has no social channel: captured DMs are recorded by hand

function fingerprint(text) {
  // FNV-1a, 32 bits: short, stable, no crypto needed (it only has to tell messages of a thread apart).
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i += 1) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash.toString(36);
}

export function inboundMessages(thread) {
  const lead = {};
  for (const key of ["platform", "username", "profile_url", "full_name"]) if (thread.lead[key]) lead[key] = thread.lead[key];
  const seen = new Map();
  return thread.messages
    .filter((m) => m.body && m.body.trim())
    .map((m) => {
      let id = m.external_id;
      if (!id) {
        const base = `${m.direction}|${m.sent_at || ""}|${m.body}`;
        const n = (seen.get(base) || 0) + 1; // the same words twice in a thread are two messages
        seen.set(base, n);
        id = `${fingerprint(base)}-${n}`;
      }
      const message = {
        lead,
        channel: INBOX_CHANNEL,
        direction: m.direction === "outbound" ? "outbound" : "inbound",
        external_id: `${thread.platform}:${thread.external_thread_id}:${id}`.slice(0, 255),
        body: m.body.slice(0, 20000),
      };
      if (m.sent_at) message.sent_at = m.sent_at;
      return message;
    });
}
