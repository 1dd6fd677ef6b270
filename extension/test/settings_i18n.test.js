import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { resolveLanguage, translate } from "../src/shared/i18n.js";
import { leadKey } from "../src/shared/leadkey.js";
import { validateCrmUrl } from "../src/shared/settings.js";

const read = (p) => JSON.parse(readFileSync(new URL(p, import.meta.url), "utf8"));

test("CRM URL: https anywhere, http only on loopback, normalised", () => {
  assert.deepEqual(validateCrmUrl(" https://crm.example.com/ "), { ok: true, url: "https://crm.example.com", loopback: false });
  assert.equal(validateCrmUrl("http://127.0.0.1:8123").url, "http://127.0.0.1:8123");
  assert.equal(validateCrmUrl("http://localhost:3000/").loopback, true);
  assert.equal(validateCrmUrl("http://crm.example.com").error, "crm_url_https");
  assert.equal(validateCrmUrl("ftp://crm.example.com").error, "crm_url_invalid");
  assert.equal(validateCrmUrl("crm.example.com").error, "crm_url_invalid");
  assert.equal(validateCrmUrl("https://user:pw@crm.example.com").error, "crm_url_invalid");
  assert.equal(validateCrmUrl("https://crm.example.com/?x=1").error, "crm_url_invalid");
  assert.equal(validateCrmUrl("").error, "crm_url_required");
});

test("locales: en and pt_BR have the same keys, every message is non-empty and Portuguese differs", () => {
  const en = read("../_locales/en/messages.json");
  const pt = read("../_locales/pt_BR/messages.json");
  assert.deepEqual(Object.keys(pt).sort(), Object.keys(en).sort());
  for (const [key, value] of Object.entries(pt)) assert.ok(value.message.trim(), key);
  assert.notEqual(pt.start.message, en.start.message);
  assert.equal(translate(pt, "send_done", { id: 42 }), "Enviado. Importação nº 42");
  assert.equal(translate(en, "missing_key"), "missing_key");
});

test("every message key the popup and options use exists", () => {
  const en = read("../_locales/en/messages.json");
  for (const file of ["../src/popup/popup.html", "../src/options/options.html"]) {
    const html = readFileSync(new URL(file, import.meta.url), "utf8");
    for (const [, key] of html.matchAll(/data-i18n(?:-placeholder|-title)?="([^"]+)"/g)) assert.ok(en[key], `${file}: ${key}`);
  }
  for (const key of ["page_not_recognised", "page_no_rows", "page_unsupported_site"]) assert.ok(en[key], key);
  for (const p of ["instagram_profile", "instagram_follow_list", "instagram_post_likers", "facebook_group_members", "facebook_profile", "linkedin_people_search", "linkedin_profile", "linkedin_connections"]) {
    assert.ok(en[`type_${p}`], p);
  }
  for (const reason of ["user", "limit", "end_of_list", "single_done", "wall", "tab_closed", "not_recognised", "no_rows"]) assert.ok(en[`stop_${reason}`], reason);
});

test("language: the user's choice, else the browser's", () => {
  assert.equal(resolveLanguage("en", "pt-BR"), "en");
  assert.equal(resolveLanguage(null, "pt-BR"), "pt-BR");
  assert.equal(resolveLanguage(null, "de"), "en");
});

test("duplicate key: handles are case-insensitive, Facebook ids kept", () => {
  assert.equal(leadKey({ platform: "instagram", username: "Ana.Souza" }), leadKey({ platform: "instagram", username: "ana.souza" }));
  assert.notEqual(leadKey({ platform: "instagram", username: "ana" }), leadKey({ platform: "linkedin", username: "ana" }));
  assert.equal(
    leadKey({ platform: "facebook", profile_url: "https://www.facebook.com/profile.php?id=100001" }),
    "facebook:facebook.com/profile.php?id=100001",
  );
});

test("manifest: MV3, minimum permissions, strict CSP, pinned key", () => {
  const manifest = read("../manifest.json");
  assert.equal(manifest.manifest_version, 3);
  assert.deepEqual(manifest.permissions, ["storage"]);
  assert.deepEqual(manifest.host_permissions, ["http://127.0.0.1/*", "http://localhost/*"]);
  const csp = manifest.content_security_policy.extension_pages;
  assert.match(csp, /script-src 'self';/);
  assert.doesNotMatch(csp, /unsafe-(inline|eval)/);
  assert.ok(manifest.key.length > 300);
});

test("manifest: content scripts only on the three platforms; LinkedIn's country hosts (br.linkedin.com) too", () => {
  const manifest = read("../manifest.json");
  const hosts = manifest.content_scripts.flatMap((script) => script.matches);
  assert.deepEqual(hosts.sort(), [
    "https://*.linkedin.com/*",
    "https://www.facebook.com/*",
    "https://www.instagram.com/*",
    "https://www.linkedin.com/*",
  ]);
  const linkedin = manifest.content_scripts.find((script) => script.matches.includes("https://*.linkedin.com/*"));
  assert.ok(linkedin.js.includes("src/content/parsers/linkedin_profile.js"));
});
