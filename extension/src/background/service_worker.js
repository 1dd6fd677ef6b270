// SnapLeads service worker: the capture session, the safety governor, the local queue of captured rows
// (kept in chrome.storage.local until the CRM accepts them) and every call to the CRM.
import { Crm } from "../shared/api.js";
import { inboundMessages } from "../shared/dm.js";
import * as governor from "../shared/governor.js";
import { leadKey } from "../shared/leadkey.js";
import { DEFAULT_SETTINGS, PLATFORMS, effectiveLimits, effectivePacing } from "../shared/settings.js";
import * as store from "./store.js";

const BATCH_SIZE = 1000; // rows per POST /leads/import (the API takes ≤ 10,000 and 5 MB)
const SENT_KEYS_KEPT = 5000;
const LOOKUP_CHUNK = 500;
// A send whose worker was stopped by Chrome mid-way (MV3 workers are short-lived) must not block the next.
const SEND_STALE_MS = 3 * 60_000;

async function settings() {
  return { ...DEFAULT_SETTINGS, ...(await store.get("settings", {})) };
}

async function crm() {
  const { crmUrl } = await settings();
  const retryBaseMs = await store.get("retryBaseMs", 1000);
  return new Crm({
    baseUrl: crmUrl,
    auth: () => store.get("auth", null),
    saveAuth: (auth) => (auth ? store.set({ auth }) : store.remove(["auth", "context"])),
    baseMs: retryBaseMs,
  });
}

// ------------------------------------------------------------------ state for the popup

async function resolveTab(requested) {
  const { pages, lastTab } = await store.getMany({ pages: {}, lastTab: null });
  if (requested != null && pages[requested]) return Number(requested);
  return lastTab != null && pages[lastTab] ? Number(lastTab) : null;
}

async function budgets(now = Date.now()) {
  const { settings: saved, governor: state } = await store.getMany({ settings: {}, governor: {} });
  const limits = effectiveLimits(saved.limits);
  const out = {};
  for (const platform of PLATFORMS) out[platform] = governor.budget(state, platform, limits[platform], now);
  return out;
}

async function popupState(requestedTab) {
  const tabId = await resolveTab(requestedTab);
  const data = await store.getMany({
    pages: {}, capture: null, queue: [], jobs: [], send: { state: "idle" }, auth: null, context: null, selectedTags: [],
  });
  const queued = {};
  for (const row of data.queue) queued[row.platform] = (queued[row.platform] || 0) + 1;
  return {
    settings: await settings(),
    signedIn: !!data.auth,
    email: data.auth ? data.auth.email : null,
    context: data.context,
    tabId,
    page: tabId != null ? data.pages[tabId] : null,
    capture: data.capture,
    budgets: await budgets(),
    queued,
    queuedTotal: data.queue.length,
    jobs: data.jobs.slice(-5).reverse(),
    send: data.send,
    selectedTags: data.selectedTags,
  };
}

// ------------------------------------------------------------------ capture

async function startCapture(requestedTab) {
  const tabId = await resolveTab(requestedTab);
  if (tabId == null) return { ok: false, error: "no_page" };
  const { pages } = await store.getMany({ pages: {} });
  const page = pages[tabId];
  if (!page || !page.recognised || page.kind === "dm") return { ok: false, error: page && page.reason ? page.reason : "not_recognised" };
  const budget = (await budgets())[page.platform];
  if (budget.paused) return { ok: false, error: "paused", pause: budget.paused };
  if (budget.remaining <= 0) return { ok: false, error: "limit" };
  const capture = {
    tabId, platform: page.platform, pageType: page.pageType, url: page.url, running: true,
    startedAt: Date.now(), captured: 0, duplicates: 0, duplicatesInCrm: 0, stopReason: null, wall: null,
  };
  await store.locked(() => store.set({ capture }));
  const pacing = effectivePacing(await store.get("pacing", null));
  try {
    await chrome.tabs.sendMessage(tabId, { type: "capture:start", pacing });
  } catch (_e) {
    await finishCapture("tab_unreachable", null);
    return { ok: false, error: "tab_unreachable" };
  }
  return { ok: true };
}

async function finishCapture(reason, wall, tabId) {
  await store.locked(async () => {
    const capture = await store.get("capture", null);
    if (!capture || (tabId != null && capture.tabId !== tabId) || !capture.running) return;
    const updates = { capture: { ...capture, running: false, stopReason: reason, wall: wall || null, endedAt: Date.now() } };
    if (wall) {
      const state = await store.get("governor", {});
      updates.governor = governor.pause(state, capture.platform, wall.kind, wall.evidence, Date.now());
    }
    await store.set(updates);
  });
}

async function stopCapture() {
  const capture = await store.get("capture", null);
  if (capture && capture.running) {
    chrome.tabs.sendMessage(capture.tabId, { type: "capture:stop" }).catch(() => null);
    await finishCapture("user", null);
  }
  return { ok: true };
}

/** Rows harvested by the content script: governor first (every loaded row costs budget), then local and
 * CRM duplicates, then the queue. Answers whether the capture must stop. */
async function acceptRows(tabId, rows) {
  const now = Date.now();
  const first = await store.locked(async () => {
    const data = await store.getMany({ capture: null, governor: {}, settings: {}, queue: [], sentKeys: [] });
    const capture = data.capture;
    if (!capture || !capture.running || capture.tabId !== tabId) return { stop: true, reason: "not_running" };
    const limits = effectiveLimits(data.settings.limits)[capture.platform];
    const spent = governor.consume(data.governor, capture.platform, limits, rows.length, now);
    const known = new Set([...data.queue.map((r) => r.key), ...data.sentKeys]);
    const fresh = [];
    let duplicates = 0;
    for (const lead of rows.slice(0, spent.allowed)) {
      const key = leadKey(lead);
      if (known.has(key)) duplicates += 1;
      else {
        known.add(key);
        fresh.push({ key, platform: lead.platform || capture.platform, lead, capturedAt: now });
      }
    }
    await store.set({ governor: spent.state, capture: { ...capture, duplicates: capture.duplicates + duplicates } });
    return { capture, fresh, exhausted: spent.exhausted || spent.paused };
  });
  if (first.stop) return first;
  const fresh = await withoutCrmDuplicates(first.capture.platform, first.fresh);
  return store.locked(async () => {
    const data = await store.getMany({ capture: null, queue: [] });
    const capture = data.capture;
    if (!capture) return { stop: true, reason: "not_running" };
    const queueKeys = new Set(data.queue.map((r) => r.key));
    const added = fresh.rows.filter((r) => !queueKeys.has(r.key));
    const next = {
      ...capture,
      captured: capture.captured + added.length,
      duplicates: capture.duplicates + fresh.skipped,
      duplicatesInCrm: capture.duplicatesInCrm + fresh.skipped,
    };
    if (first.exhausted && capture.running) Object.assign(next, { running: false, stopReason: "limit", endedAt: Date.now() });
    await store.set({ queue: [...data.queue, ...added], capture: next });
    return { stop: !next.running, reason: next.stopReason };
  });
}

/** Drop rows the CRM already has (best effort: offline or signed out, the import skips them anyway). */
async function withoutCrmDuplicates(platform, rows) {
  if (!rows.length || !(await store.get("auth", null))) return { rows, skipped: 0 };
  try {
    const client = await crm();
    const existing = new Set();
    for (let start = 0; start < rows.length; start += LOOKUP_CHUNK) {
      const chunk = rows.slice(start, start + LOOKUP_CHUNK);
      const answer = await client.lookup(platform, chunk.map((r) => ({ username: r.lead.username || null, profile_url: r.lead.profile_url || null })));
      for (const index of answer.existing) existing.add(start + index);
    }
    return { rows: rows.filter((_r, i) => !existing.has(i)), skipped: existing.size };
  } catch (_e) {
    return { rows, skipped: 0 };
  }
}

// ------------------------------------------------------------------ sending

async function sendQueue() {
  const data = await store.getMany({ queue: [], selectedTags: [], auth: null, send: { state: "idle" } });
  if (!data.auth) return { ok: false, error: "signed_out" };
  const busy = data.send.state === "sending" || data.send.state === "retrying";
  if (busy && Date.now() - (data.send.at || 0) < SEND_STALE_MS) return { ok: false, error: "already_sending" };
  if (!data.queue.length) return { ok: false, error: "nothing_to_send" };
  const client = await crm();
  const { crmUrl } = await settings();
  await store.set({ send: { state: "sending", at: Date.now() } });
  const byPlatform = new Map();
  for (const row of data.queue) {
    if (!byPlatform.has(row.platform)) byPlatform.set(row.platform, []);
    byPlatform.get(row.platform).push(row);
  }
  const accepted = [];
  try {
    for (const [platform, rows] of byPlatform) {
      for (let start = 0; start < rows.length; start += BATCH_SIZE) {
        const batch = rows.slice(start, start + BATCH_SIZE);
        const payload = {
          source: "extension",
          platform,
          source_url: batch[0].lead.source_url || null,
          tags: data.selectedTags.slice(0, 20),
          duplicate_policy: "skip",
          leads: batch.map((r) => ({ ...r.lead, platform })),
        };
        const job = await client.importBatch(payload, ({ attempt, waitMs, status }) =>
          store.set({ send: { state: "retrying", attempt, waitMs, status, at: Date.now() } }),
        );
        accepted.push(job.job_id);
        await confirmSent(batch, { id: job.job_id, total: job.total, platform, at: Date.now(), url: `${crmUrl}/imports?job=${job.job_id}` });
      }
    }
  } catch (error) {
    await store.set({
      send: { state: "error", status: error.status || 0, message: error.message, attempts: error.attempts || 1, at: Date.now(), jobs: accepted },
    });
    return { ok: false, error: "send_failed", status: error.status || 0, message: error.message };
  }
  await store.set({ send: { state: "done", jobs: accepted, at: Date.now() } });
  return { ok: true, jobs: accepted };
}

/** The CRM accepted this batch (202 + job id): now — and only now — the rows leave local storage. */
function confirmSent(batch, job) {
  return store.locked(async () => {
    const data = await store.getMany({ queue: [], sentKeys: [], jobs: [] });
    const sent = new Set(batch.map((r) => r.key));
    await store.set({
      queue: data.queue.filter((r) => !sent.has(r.key)),
      sentKeys: [...data.sentKeys, ...sent].slice(-SENT_KEYS_KEPT),
      jobs: [...data.jobs, job].slice(-20),
    });
  });
}

// ------------------------------------------------------------------ DM threads (inbox)

async function sendThread(requestedTab) {
  const { dmCapture } = await settings();
  if (!dmCapture) return { ok: false, error: "dm_disabled" };
  const tabId = await resolveTab(requestedTab);
  if (tabId == null) return { ok: false, error: "no_page" };
  const client = await crm();
  if (!(await client.hasInbox())) return { ok: false, error: "inbox_unavailable" };
  const answer = await chrome.tabs.sendMessage(tabId, { type: "dm:read" }).catch(() => null);
  if (!answer || !answer.ok) return { ok: false, error: (answer && answer.reason) || "not_a_thread" };
  let created = 0;
  const messages = inboundMessages(answer.thread);
  try {
    for (const message of messages) {
      const result = await client.postInbound(message); // in order: the thread reads as it happened
      if (result.created) created += 1;
    }
  } catch (error) {
    return { ok: false, error: "send_failed", status: error.status || 0, message: error.message, created };
  }
  return { ok: true, messages: messages.length, created };
}

// ------------------------------------------------------------------ messages

async function handle(message, sender) {
  const tabId = sender.tab ? sender.tab.id : null;
  switch (message.type) {
    case "page":
      return store.locked(async () => {
        const pages = await store.get("pages", {});
        pages[tabId] = message.status;
        await store.set({ pages, lastTab: tabId });
        return { ok: true };
      });
    case "page:focus":
      return store.set({ lastTab: tabId }).then(() => ({ ok: true }));
    case "capture:rows":
      return acceptRows(tabId, message.rows || []);
    case "capture:ended":
      await finishCapture(message.reason, message.wall, tabId);
      return { ok: true };
    case "state:get":
      return popupState(message.tabId);
    case "auth:login": {
      const client = await crm();
      try {
        await client.login(message.email, message.password);
        const context = await client.context();
        await store.set({ context });
        return { ok: true, context };
      } catch (error) {
        return { ok: false, status: error.status || 0, message: error.message };
      }
    }
    case "auth:logout": {
      const client = await crm();
      await client.logout();
      await store.remove(["auth", "context"]);
      return { ok: true };
    }
    case "context:refresh": {
      try {
        const context = await (await crm()).context();
        await store.set({ context });
        return { ok: true, context };
      } catch (error) {
        return { ok: false, status: error.status || 0, message: error.message };
      }
    }
    case "workspace:switch": {
      try {
        const client = await crm();
        await client.switchWorkspace(Number(message.workspaceId));
        const context = await client.context();
        // Tags belong to a workspace: the picked ones do not carry over.
        await store.set({ context, selectedTags: [] });
        return { ok: true, context };
      } catch (error) {
        return { ok: false, status: error.status || 0, message: error.message };
      }
    }
    case "capture:start":
      return startCapture(message.tabId);
    case "capture:stop":
      return stopCapture();
    case "governor:resume":
      return store.locked(async () => {
        const result = governor.resume(await store.get("governor", {}), message.platform, Date.now());
        if (result.ok) await store.set({ governor: result.state });
        return { ok: result.ok, resumableAt: result.resumableAt };
      });
    case "tags:set":
      await store.set({ selectedTags: (message.tags || []).map(String).filter(Boolean).slice(0, 20) });
      return { ok: true };
    case "send":
      return sendQueue();
    case "queue:clear":
      await store.locked(() => store.set({ queue: [], send: { state: "idle" } }));
      return { ok: true };
    case "job:get": {
      try {
        return { ok: true, job: await (await crm()).importJob(message.jobId) };
      } catch (error) {
        return { ok: false, status: error.status || 0, message: error.message };
      }
    }
    case "dm:send":
      return sendThread(message.tabId);
    default:
      return { ok: false, error: "unknown_message" };
  }
}

chrome.runtime.onMessage.addListener((message, sender, reply) => {
  // Only this extension's pages and content scripts talk to the worker.
  if (sender.id !== chrome.runtime.id || !message || typeof message.type !== "string") return false;
  handle(message, sender).then(reply, (error) => reply({ ok: false, error: "internal", message: String(error) }));
  return true;
});

// A browser restart ends every tab: a capture marked running belongs to a page that no longer exists.
chrome.runtime.onStartup.addListener(() => {
  finishCapture("tab_closed", null);
  store.set({ pages: {}, lastTab: null });
});

chrome.tabs.onRemoved.addListener((tabId) => {
  finishCapture("tab_closed", null, tabId);
  store.locked(async () => {
    const pages = await store.get("pages", {});
    if (pages[tabId]) {
      delete pages[tabId];
      await store.set({ pages });
    }
  });
});
