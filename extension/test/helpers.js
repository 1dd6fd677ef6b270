// Load the content scripts (the very files Chrome injects) into this process and parse fixtures with
// linkedom. Results go through JSON so deep-equal compares plain data.
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseHTML } from "linkedom";

const HERE = dirname(fileURLToPath(import.meta.url));
const CONTENT = join(HERE, "..", "src", "content");
const SCRIPTS = [
  "core.js",
  "selectors/instagram.js",
  "selectors/facebook.js",
  "selectors/linkedin.js",
  "parsers/instagram_profile.js",
  "parsers/instagram_follow_list.js",
  "parsers/instagram_likers.js",
  "parsers/facebook_group_members.js",
  "parsers/facebook_profile.js",
  "parsers/linkedin_search.js",
  "parsers/linkedin_profile.js",
  "parsers/linkedin_connections.js",
  "dm/instagram_direct.js",
  "dm/linkedin_messaging.js",
  "walls.js",
  "capture.js", // must stay inert outside Chrome
];
for (const script of SCRIPTS) await import(join(CONTENT, script));

export const SL = globalThis.SnapLeads;

export function fixture(name) {
  return readFileSync(join(HERE, "fixtures", name), "utf8");
}

export function documentOf(html) {
  return parseHTML(html).document;
}

/** SL.detect on a fixture at a URL, as plain data. */
export function detect(name, url) {
  const doc = documentOf(fixture(name));
  return JSON.parse(JSON.stringify(SL.detect(doc, url)));
}
