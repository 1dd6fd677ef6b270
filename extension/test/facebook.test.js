import assert from "node:assert/strict";
import { test } from "node:test";
import { detect } from "./helpers.js";

const GROUP = "https://www.facebook.com/groups/1234567890/members";

test("group members (English): profile id, name, avatar, company/title/location from the row", () => {
  const result = detect("fb_group_members.html", GROUP);
  assert.equal(result.pageType, "group_members");
  assert.equal(result.rows.length, 4);
  assert.deepEqual(result.rows[0], {
    platform: "facebook",
    profile_url: "https://www.facebook.com/profile.php?id=100001",
    full_name: "Carlos Andrade",
    avatar_url: "https://scontent.xx.fbcdn.net/100001.jpg",
    company: "Padaria Pão Bom",
    location: "Campinas, São Paulo",
    source_url: GROUP,
  });
  assert.equal(result.rows[1].headline, "Sales Manager");
  assert.equal(result.rows[1].company, "Acme Ltda");
  assert.deepEqual(Object.keys(result.rows[2]).sort(), ["avatar_url", "full_name", "platform", "profile_url", "source_url"]);
  assert.equal(result.rows[3].verified, true);
});

test("group members in Portuguese ('Trabalha na', 'Mora em', 'Gerente Comercial na')", () => {
  const result = detect("fb_group_members_pt.html", GROUP + "/");
  assert.equal(result.rows[0].company, "Loja Bela");
  assert.equal(result.rows[0].location, "Belo Horizonte");
  assert.equal(result.rows[1].headline, "Gerente Comercial");
  assert.equal(result.rows[1].company, "Nunes & Filhos");
});

test("page profile: name without badge, followers, bio, location, e-mail, phone, unwrapped website", () => {
  const [row] = detect("fb_profile.html", "https://www.facebook.com/padariapaobom").rows;
  assert.deepEqual(row, {
    platform: "facebook",
    username: "padariapaobom",
    profile_url: "https://www.facebook.com/padariapaobom",
    full_name: "Padaria Pão Bom",
    avatar_url: "https://scontent.xx.fbcdn.net/paobom.jpg",
    bio: "Artisan bread and coffee since 1998",
    location: "Campinas, Brazil",
    followers: "4.2K",
    following: "12",
    website: "https://paobom.com.br/",
    email: "contato@paobom.com.br",
    phone: "(19) 3232-4545",
    verified: true,
    source_url: "https://www.facebook.com/padariapaobom",
  });
});

test("personal profile in Portuguese (nickname dropped, '1,2 mil seguidores')", () => {
  const [row] = detect("fb_profile_pt.html", "https://www.facebook.com/profile.php?id=200001").rows;
  assert.equal(row.full_name, "Helena Martins");
  assert.equal(row.profile_url, "https://www.facebook.com/profile.php?id=200001");
  assert.equal(row.username, undefined);
  assert.equal(row.followers, "1,2 mil");
  assert.equal(row.company, "Loja Bela");
  assert.equal(row.headline, "Gerente de Marketing");
  assert.equal(row.location, "Belo Horizonte");
});

test("a block screen is a rate-limit wall; the feed is not recognised", () => {
  const blocked = detect("fb_blocked.html", GROUP);
  assert.equal(blocked.recognised, false);
  assert.equal(blocked.wall.kind, "rate_limit");
  const feed = detect("unrelated.html", "https://www.facebook.com/");
  assert.equal(feed.recognised, false);
  assert.equal(feed.reason, "not_recognised");
});

test("profile with missing fields: the name and the profile, nothing invented (page chrome is not a bio)", () => {
  const result = detect("fb_profile_missing.html", "https://www.facebook.com/rodrigo.nunes.77");
  assert.equal(result.recognised, true);
  assert.deepEqual(result.rows, [
    {
      platform: "facebook",
      username: "rodrigo.nunes.77",
      profile_url: "https://www.facebook.com/rodrigo.nunes.77",
      full_name: "Rodrigo Nunes",
      source_url: "https://www.facebook.com/rodrigo.nunes.77",
    },
  ]);
});

test("a profile URL without the profile's heading (changed layout) is 'not recognised'", () => {
  const result = detect("unrelated.html", "https://www.facebook.com/padariapaobom");
  assert.equal(result.recognised, false);
  assert.equal(result.reason, "not_recognised");
});

test("lazy rows: members appended as the window scrolls are read on the next pass, each once", async () => {
  const { documentOf, fixture, SL } = await import("./helpers.js");
  const doc = documentOf(fixture("fb_group_members.html"));
  const list = doc.querySelector("[role='list']");
  const template = list.children[2].outerHTML; // Diego Alves: name only
  assert.equal(SL.detect(doc, GROUP).rows.length, 4);
  for (const id of ["100005", "100006", "100007"]) {
    list.insertAdjacentHTML("beforeend", template.replaceAll("100003", id).replaceAll("Diego Alves", `Membro ${id}`));
  }
  const rows = SL.detect(doc, GROUP).rows;
  assert.equal(rows.length, 7);
  assert.deepEqual(rows.slice(4).map((r) => [r.full_name, r.profile_url]), [
    ["Membro 100005", "https://www.facebook.com/profile.php?id=100005"],
    ["Membro 100006", "https://www.facebook.com/profile.php?id=100006"],
    ["Membro 100007", "https://www.facebook.com/profile.php?id=100007"],
  ]);
});

test("a members page whose rows the selectors no longer find is 'no_rows', not an empty capture", () => {
  const result = detect("unrelated.html", GROUP);
  assert.equal(result.pageType, "group_members");
  assert.equal(result.recognised, false);
  assert.equal(result.reason, "no_rows");
});
