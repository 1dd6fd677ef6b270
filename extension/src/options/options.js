// Options: CRM address (validated; https hosts get a runtime permission request), language, limits
// (lower only: the defaults are the ceilings the governor enforces).
import { applyI18n, loadMessages, resolveLanguage, translate } from "../shared/i18n.js";
import { DEFAULT_LIMITS, DEFAULT_SETTINGS, PLATFORMS, validateCrmUrl, validateLimit } from "../shared/settings.js";

const $ = (id) => document.getElementById(id);
let messages = {};
const t = (key, vars) => translate(messages, key, vars);

function limitInputs(saved) {
  const box = $("limits");
  box.replaceChildren();
  for (const platform of PLATFORMS) {
    const row = document.createElement("div");
    row.className = "limits";
    const title = document.createElement("strong");
    title.textContent = t(`platform_${platform}`);
    row.append(title);
    for (const period of ["hour", "day"]) {
      const ceiling = DEFAULT_LIMITS[platform][period];
      const label = document.createElement("label");
      const caption = document.createElement("span");
      caption.textContent = t(period === "hour" ? "per_hour" : "per_day", { max: ceiling });
      const input = document.createElement("input");
      input.type = "number";
      input.min = "0";
      input.max = String(ceiling);
      input.id = `limit-${platform}-${period}`;
      input.value = String(saved[platform] && saved[platform][period] != null ? saved[platform][period] : ceiling);
      const error = document.createElement("span");
      error.className = "field-error";
      error.id = `limit-${platform}-${period}-error`;
      label.append(caption, input, error);
      row.append(label);
    }
    box.append(row);
  }
}

async function save(event) {
  event.preventDefault();
  $("save-status").textContent = "";
  let valid = true;
  const crm = validateCrmUrl($("crm-url").value);
  $("crm-url-error").textContent = crm.ok ? "" : t(crm.error);
  valid = valid && crm.ok;
  const limits = {};
  for (const platform of PLATFORMS) {
    limits[platform] = {};
    for (const period of ["hour", "day"]) {
      const result = validateLimit($(`limit-${platform}-${period}`).value, DEFAULT_LIMITS[platform][period]);
      $(`limit-${platform}-${period}-error`).textContent = result.ok ? "" : t(result.error);
      if (result.ok) limits[platform][period] = result.value;
      valid = valid && result.ok;
    }
  }
  if (!valid) return;
  if (!crm.loopback) {
    // Chrome asks the user once per CRM host (an optional host permission: nothing broader is held).
    const granted = await chrome.permissions.request({ origins: [`${new URL(crm.url).origin}/*`] }).catch(() => false);
    if (!granted) {
      $("crm-url-error").textContent = t("permission_denied");
      return;
    }
  }
  const previous = (await chrome.storage.local.get("settings")).settings || {};
  const next = { ...previous, crmUrl: crm.url, language: $("language").value || null, limits, dmCapture: $("dm-capture").checked };
  const updates = { settings: next };
  await chrome.storage.local.set(updates);
  if (previous.crmUrl && previous.crmUrl !== crm.url) await chrome.storage.local.remove(["auth", "context"]); // tokens belong to the old CRM
  $("crm-url").value = crm.url;
  if ((previous.language || null) !== next.language) return location.reload();
  $("save-status").textContent = t("saved");
}

async function main() {
  const saved = { ...DEFAULT_SETTINGS, ...((await chrome.storage.local.get("settings")).settings || {}) };
  messages = await loadMessages(resolveLanguage(saved.language, chrome.i18n.getUILanguage()));
  document.documentElement.lang = resolveLanguage(saved.language, chrome.i18n.getUILanguage());
  applyI18n(document, messages);
  $("crm-url").value = saved.crmUrl;
  $("language").value = saved.language || "";
  $("dm-capture").checked = saved.dmCapture !== false;
  limitInputs(saved.limits || {});
  $("options-form").addEventListener("submit", save);
  document.body.dataset.ready = "1";
}

main();
