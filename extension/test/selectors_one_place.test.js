import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { test } from "node:test";
import { SL } from "./helpers.js";

const CONTENT = new URL("../src/content/", import.meta.url);

test("every platform's selectors, URL shapes, DM selectors and wall words live in its selectors module", () => {
  for (const platform of ["instagram", "facebook", "linkedin"]) {
    const S = SL.selectors[platform];
    assert.ok(S.urls && S.walls && S.words, platform);
    for (const key of ["challengeUrl", "loginUrl", "rateText", "challengeText"]) assert.ok(S.walls[key], `${platform}.walls.${key}`);
  }
  assert.ok(SL.selectors.instagram.direct.grid && SL.selectors.linkedin.messaging.list);
});

test("parsers, DM parsers and the wall detector hold no platform selector or URL shape of their own", () => {
  const files = ["parsers", "dm"].flatMap((dir) => readdirSync(new URL(`${dir}/`, CONTENT)).map((f) => `${dir}/${f}`));
  files.push("walls.js");
  for (const file of files) {
    const source = readFileSync(new URL(file, CONTENT), "utf8");
    const literalQueries = [...source.matchAll(/(?:querySelector(?:All)?|closest)\(\s*(["'`])(.*?)\1\s*\)/g)].map((m) => m[2]);
    const generic = file === "walls.js" ? ["input[type='password']", "[role='main'], main", "[role='dialog']"] : ["a[href]"];
    assert.deepEqual(literalQueries.filter((q) => !generic.includes(q)), [], `${file}: selector literals belong in selectors/<platform>.js`);
    assert.doesNotMatch(source, /\/\^\\\/[a-z]/, `${file}: URL shapes belong in selectors/<platform>.js`);
  }
});
