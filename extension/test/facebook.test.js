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
