// Popup: sign in, what this page offers, the safety budget, start/stop, live counts, tags, send.
// All work happens in the service worker; the popup renders its state and re-renders on storage changes.
import { applyI18n, loadMessages, resolveLanguage, translate } from "../shared/i18n.js";

const $ = (id) => document.getElementById(id);
const params = new URLSearchParams(location.search);
let messages = {};
let state = null;
let requestedTab = params.has("tab") ? Number(params.get("tab")) : null;
let watchedJob = null; // the import job whose progress the popup is polling

const t = (key, vars) => translate(messages, key, vars);
const ask = (message) => chrome.runtime.sendMessage(message);

function show(el, visible) {
  el.hidden = !visible;
}

async function currentTab() {
  if (requestedTab != null) return requestedTab;
  try {
    const [tab] = await chrome.tabs.query({ active: true, lastFocusedWindow: true });
    return tab ? tab.id : null;
  } catch (_e) {
    return null;
  }
}

function pageText(page) {
  if (!page) return { type: "", status: t("page_none") };
  const type = page.platform && page.pageType ? t(`type_${page.platform}_${page.pageType}`) : page.platform ? t(`platform_${page.platform}`) : "";
  if (page.wall) return { type, status: t(`page_wall_${page.wall.kind}`) };
  if (!page.recognised) {
    const key = { unsupported_site: "page_unsupported_site", no_rows: "page_no_rows" }[page.reason] || "page_not_recognised";
    return { type, status: t(key) };
  }
  if (page.kind === "list") return { type, status: t("page_rows_visible", { count: page.visibleRows }) };
  return { type, status: "" };
}

function render() {
  const s = state;
  show($("login-view"), !s.signedIn);
  show($("account-view"), s.signedIn);
  $("crm-at").textContent = t("crm_at", { url: s.settings.crmUrl });
  if (s.signedIn) {
    $("account-line").textContent = t("signed_in_as", { email: s.email || "", workspace: s.context ? s.context.workspace_name : "" });
  }

  renderWorkspaces();

  const page = s.page;
  const text = pageText(page);
  $("page-type").textContent = text.type;
  $("page-status").textContent = text.status;
  $("page-view").dataset.state = !page ? "none" : page.wall ? "wall" : page.recognised ? "recognised" : page.reason === "no_rows" ? "no_rows" : "not_recognised";

  const capture = s.capture;
  const platform = (capture && capture.running && capture.platform) || (page && page.platform);
  const budget = platform ? s.budgets[platform] : null;
  show($("budget-view"), !!budget);
  if (budget) {
    $("budget-line").textContent = t("budget_line", {
      remaining: budget.remaining, hour: budget.limitHour - budget.hour, limitHour: budget.limitHour,
      day: budget.limitDay - budget.day, limitDay: budget.limitDay,
    });
    $("budget-line").dataset.remaining = String(budget.remaining);
    show($("budget-reset"), !!budget.resetsAt);
    if (budget.resetsAt) $("budget-reset").textContent = t("budget_resets", { time: new Date(budget.resetsAt).toLocaleTimeString() });
    show($("budget-paused"), !!budget.paused);
    show($("resume"), !!budget.paused);
    const coolingDown = !!budget.paused && Date.now() < (budget.paused.resumableAt || 0);
    $("resume").disabled = coolingDown;
    show($("resume-at"), coolingDown);
    if (coolingDown) $("resume-at").textContent = t("resume_at", { time: new Date(budget.paused.resumableAt).toLocaleTimeString() });
    if (budget.paused) $("budget-paused").textContent = t("budget_paused", { reason: t(`page_wall_${budget.paused.reason}`) });
    $("resume").dataset.platform = platform;
  }

  const running = !!(capture && capture.running);
  const isDm = page && page.kind === "dm";
  show($("start"), !running && !isDm);
  show($("stop"), running);
  $("start").disabled = !page || !page.recognised || !!page.wall || !!(budget && (budget.paused || budget.remaining <= 0));
  $("count-captured").textContent = String(capture ? capture.captured : 0);
  $("count-duplicates").textContent = String(capture ? capture.duplicates : 0);
  $("count-queued").textContent = String(s.queuedTotal);
  $("capture-status").textContent = running ? t("capture_running") : capture && capture.stopReason ? t(`stop_${capture.stopReason}`) : "";
  $("capture-status").dataset.reason = capture ? capture.stopReason || (running ? "running" : "") : "";

  renderTags();
  renderSend();
  show($("dm-view"), !!isDm && s.settings.dmCapture && page.recognised);
}

function renderWorkspaces() {
  const list = state.signedIn && state.context ? state.context.workspaces || [] : [];
  show($("workspace-row"), list.length > 1);
  const select = $("workspace");
  const current = state.context ? String(state.context.workspace_id) : "";
  const fingerprint = JSON.stringify([list, current]);
  if (select.dataset.fingerprint === fingerprint) return; // do not rebuild under the user's pointer
  select.dataset.fingerprint = fingerprint;
  select.replaceChildren(
    ...list.map((w) => {
      const option = document.createElement("option");
      option.value = String(w.workspace_id);
      option.textContent = w.name;
      return option;
    }),
  );
  select.value = current;
}

function renderTags() {
  const box = $("tag-list");
  const names = new Set([...(state.context ? state.context.tags.map((tag) => tag.name) : []), ...state.selectedTags]);
  const chosen = new Set(state.selectedTags);
  box.replaceChildren(
    ...[...names].map((name) => {
      const label = document.createElement("label");
      const box = document.createElement("input");
      box.type = "checkbox";
      box.value = name;
      box.checked = chosen.has(name);
      box.addEventListener("change", saveTags);
      label.append(box, document.createTextNode(name));
      return label;
    }),
  );
}

function saveTags() {
  const tags = [...$("tag-list").querySelectorAll("input:checked")].map((el) => el.value);
  return ask({ type: "tags:set", tags });
}

function renderSend() {
  const s = state;
  const send = s.send || { state: "idle" };
  const canImport = !s.context || s.context.can_import;
  $("send").disabled = !s.signedIn || !s.queuedTotal || !canImport || send.state === "sending" || send.state === "retrying";
  const status = $("send-status");
  status.className = "";
  status.dataset.state = send.state;
  if (!s.signedIn && s.queuedTotal) status.textContent = t("sign_in_to_send");
  else if (!canImport) status.textContent = t("no_import_role");
  else if (send.state === "sending") status.textContent = t("sending");
  else if (send.state === "retrying")
    status.textContent = t("retrying", { status: send.status || "—", seconds: Math.ceil((send.waitMs || 0) / 1000), attempt: send.attempt + 1 });
  else if (send.state === "error") {
    status.className = "error";
    status.textContent = t("send_failed", { detail: send.message || "" });
  } else if (send.state === "done" && s.jobs.length) {
    status.className = "ok";
    status.textContent = t("send_done", { id: s.jobs[0].id });
  } else status.textContent = "";
  const job = s.jobs[0];
  show($("job-link"), !!job && send.state === "done");
  if (job) {
    $("job-link").href = job.url;
    $("job-link").textContent = t("open_job", { id: job.id });
    $("job-link").dataset.jobId = String(job.id);
    if (send.state === "done" && watchedJob !== job.id) watchJob(job.id);
  }
  show($("job-status"), !!job && send.state === "done" && !!$("job-status").textContent);
}

/** Follow the last import until the CRM finishes it: the popup says what happened to the rows. */
async function watchJob(jobId) {
  watchedJob = jobId;
  const status = $("job-status");
  status.textContent = "";
  while (watchedJob === jobId) {
    const answer = await ask({ type: "job:get", jobId });
    if (!answer || !answer.ok) return;
    const job = answer.job;
    status.dataset.status = job.status;
    if (job.status === "completed") status.textContent = t("job_counts", job);
    else if (job.status === "failed") status.textContent = t("job_failed", { error: job.error || "" });
    else status.textContent = t("job_processing", { progress: Math.round(job.progress || 0) });
    show(status, true);
    if (["completed", "failed", "cancelled"].includes(job.status)) return;
    await new Promise((resolve) => setTimeout(resolve, 1500));
  }
}

async function refresh() {
  state = await ask({ type: "state:get", tabId: await currentTab() });
  if (state) render();
}

function showError(el, text) {
  el.textContent = text;
  show(el, !!text);
}

async function main() {
  const saved = (await chrome.storage.local.get("settings")).settings || {};
  const language = resolveLanguage(saved.language, chrome.i18n.getUILanguage());
  messages = await loadMessages(language);
  document.documentElement.lang = language;
  applyI18n(document, messages);

  $("open-options").addEventListener("click", (event) => {
    event.preventDefault();
    chrome.runtime.openOptionsPage();
  });
  $("login-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    $("login-submit").disabled = true;
    showError($("login-error"), "");
    const answer = await ask({ type: "auth:login", email: $("login-email").value.trim(), password: $("login-password").value });
    $("login-submit").disabled = false;
    if (!answer.ok) {
      const detail = answer.status ? answer.message : t("crm_unreachable", { url: state.settings.crmUrl });
      showError($("login-error"), answer.status ? t("login_failed", { detail }) : detail);
    } else $("login-password").value = "";
    refresh();
  });
  $("logout").addEventListener("click", () => ask({ type: "auth:logout" }).then(refresh));
  $("workspace").addEventListener("change", async (event) => {
    const answer = await ask({ type: "workspace:switch", workspaceId: event.target.value });
    if (!answer.ok) showError($("capture-error"), answer.message || "");
    refresh();
  });
  $("start").addEventListener("click", async () => {
    showError($("capture-error"), "");
    const answer = await ask({ type: "capture:start", tabId: state.tabId });
    if (!answer.ok) showError($("capture-error"), t(`error_${answer.error}`) !== `error_${answer.error}` ? t(`error_${answer.error}`) : t(`stop_${answer.error}`));
    refresh();
  });
  $("stop").addEventListener("click", () => ask({ type: "capture:stop" }).then(refresh));
  $("resume").addEventListener("click", (event) => ask({ type: "governor:resume", platform: event.target.dataset.platform }).then(refresh));
  $("tag-new").addEventListener("keydown", async (event) => {
    if (event.key !== "Enter") return;
    const name = event.target.value.trim();
    if (!name) return;
    event.target.value = "";
    await ask({ type: "tags:set", tags: [...new Set([...state.selectedTags, name])] });
    refresh();
  });
  $("send").addEventListener("click", async () => {
    await saveTags();
    await ask({ type: "send" });
    refresh();
  });
  $("clear").addEventListener("click", () => ask({ type: "queue:clear" }).then(refresh));
  $("dm-send").addEventListener("click", async () => {
    const answer = await ask({ type: "dm:send", tabId: state.tabId });
    const status = $("dm-status");
    status.dataset.state = answer.ok ? "sent" : "error";
    if (answer.ok) {
      const known = answer.messages - answer.created; // the CRM keeps each message once (external id)
      status.textContent = known > 0 ? t("dm_sent_known", { count: answer.messages, known }) : t("dm_sent", { count: answer.messages });
    } else status.textContent = answer.error === "inbox_unavailable" ? t("dm_unavailable") : answer.message || answer.error;
  });

  chrome.storage.onChanged.addListener((_changes, area) => {
    if (area === "local") refresh();
  });
  await refresh();
  if (state && state.signedIn) ask({ type: "context:refresh" }).then(refresh);
  document.body.dataset.ready = "1";
}

main();
