// The extension's own i18n: strings live in _locales/<lang>/messages.json (Chrome's format, also used for
// the manifest); pages load the user's chosen language, not only the browser's.

export const LANGUAGES = { en: "en", "pt-BR": "pt_BR" };

export function resolveLanguage(setting, uiLanguage) {
  if (setting === "en" || setting === "pt-BR") return setting;
  return String(uiLanguage || "").toLowerCase().startsWith("pt") ? "pt-BR" : "en";
}

export async function loadMessages(language) {
  const folder = LANGUAGES[language] || "en";
  const response = await fetch(chrome.runtime.getURL(`_locales/${folder}/messages.json`));
  return response.json();
}

/** Message text with {name} placeholders filled; the key itself when missing (visible, not blank). */
export function translate(messages, key, vars) {
  const entry = messages[key];
  let text = entry ? entry.message : key;
  for (const [name, value] of Object.entries(vars || {})) text = text.split(`{${name}}`).join(String(value));
  return text;
}

/** Fill [data-i18n] text, [data-i18n-placeholder] and [data-i18n-title] under `root`. */
export function applyI18n(root, messages) {
  for (const el of root.querySelectorAll("[data-i18n]")) el.textContent = translate(messages, el.dataset.i18n);
  for (const el of root.querySelectorAll("[data-i18n-placeholder]")) el.placeholder = translate(messages, el.dataset.i18nPlaceholder);
  for (const el of root.querySelectorAll("[data-i18n-title]")) el.title = translate(messages, el.dataset.i18nTitle);
}
