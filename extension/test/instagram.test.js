import assert from "node:assert/strict";
import { test } from "node:test";
import { detect } from "./helpers.js";

test("profile page (logged-in layout, English): every field the page shows", () => {
  const result = detect("ig_profile_en.html", "https://www.instagram.com/ana.souza/");
  assert.equal(result.pageType, "profile");
  assert.equal(result.recognised, true);
  assert.deepEqual(result.rows, [
    {
      platform: "instagram",
      username: "ana.souza",
      profile_url: "https://www.instagram.com/ana.souza/",
      full_name: "Ana Souza",
      avatar_url: "https://scontent.cdninstagram.com/v/ana.jpg",
      bio: "Handmade bakery in São Paulo 🍞 Orders: ana@padariaana.com.br · WhatsApp +55 11 98765-4321",
      followers: "12.5K",
      following: "310",
      posts: "248",
      verified: true,
      website: "https://padariaana.com.br/",
      email: "ana@padariaana.com.br",
      phone: "+55 11 98765-4321",
      source_url: "https://www.instagram.com/ana.souza/",
    },
  ]);
});

test("profile page in Portuguese: counts as the page writes them ('12,5 mil')", () => {
  const [row] = detect("ig_profile_pt.html", "https://www.instagram.com/bruno.lima/?hl=pt-br").rows;
  assert.equal(row.username, "bruno.lima");
  assert.equal(row.full_name, "Bruno Lima");
  assert.equal(row.followers, "12,5 mil");
  assert.equal(row.following, "1.024");
  assert.equal(row.posts, "87");
  assert.equal(row.bio, "Consultor de vendas B2B · Rio de Janeiro");
  assert.equal(row.verified, undefined);
});

test("profile page with missing fields: what is there, nothing invented, no crash", () => {
  const result = detect("ig_profile_missing.html", "https://www.instagram.com/carla.dias/");
  assert.equal(result.recognised, true);
  assert.deepEqual(result.rows, [
    {
      platform: "instagram",
      username: "carla.dias",
      profile_url: "https://www.instagram.com/carla.dias/",
      posts: "3",
      source_url: "https://www.instagram.com/carla.dias/",
    },
  ]);
});

test("followers dialog: every row of the virtualised slice, names, avatars, verified badges", () => {
  const result = detect("ig_followers_dialog.html", "https://www.instagram.com/acme.store/followers/");
  assert.equal(result.pageType, "follow_list");
  assert.equal(result.kind, "list");
  assert.equal(result.rows.length, 12);
  assert.deepEqual(result.rows[0], {
    platform: "instagram",
    username: "joao.pedro",
    profile_url: "https://www.instagram.com/joao.pedro/",
    full_name: "João Pedro",
    avatar_url: "https://scontent.cdninstagram.com/joao.pedro.jpg",
    verified: true,
    source_url: "https://www.instagram.com/acme.store/followers/",
  });
  const lucas = result.rows.find((r) => r.username === "lucas.f");
  assert.equal(lucas.full_name, undefined, "a row without a name has no name, not the button text");
  assert.ok(!result.rows.some((r) => r.username === "acme.store"), "the page behind the dialog is not a row");
});

test("following dialog in Portuguese ('Seguindo' heading and buttons)", () => {
  const result = detect("ig_following_pt.html", "https://www.instagram.com/acme.store/following/");
  assert.equal(result.pageType, "follow_list");
  assert.deepEqual(
    result.rows.map((r) => [r.username, r.full_name]),
    [["joao.pedro", "João Pedro"], ["maria_clara", "Maria Clara"], ["lucas.f", undefined], ["bia.costa", "Bia Costa"], ["rafa.oliveira", "Rafael Oliveira"]],
  );
});

test("post likers dialog", () => {
  const result = detect("ig_likers.html", "https://www.instagram.com/p/C1abc/");
  assert.equal(result.pageType, "post_likers");
  assert.deepEqual(result.rows.map((r) => r.username), ["studio.luz", "pedro_h", "ju.mendes", "caio.r"]);
});

test("an unrelated Instagram page is 'not recognised', not an empty capture", () => {
  const result = detect("unrelated.html", "https://www.instagram.com/explore/");
  assert.equal(result.recognised, false);
  assert.equal(result.reason, "not_recognised");
  assert.deepEqual(result.rows, []);
});

test("a page whose layout changed (profile URL, no header) is 'not recognised'", () => {
  const result = detect("li_profile_missing.html", "https://www.instagram.com/ana.souza/");
  assert.equal(result.recognised, false);
});

test("another site is unsupported", () => {
  const result = detect("ig_profile_en.html", "https://example.com/ana.souza/");
  assert.equal(result.reason, "unsupported_site");
});

test("lazy rows: successive slices of the virtualised dialog add up to the whole list", async () => {
  const { documentOf, fixture, SL } = await import("./helpers.js");
  const doc = documentOf(fixture("ig_followers_dialog.html"));
  const url = "https://www.instagram.com/acme.store/followers/";
  const list = doc.querySelector("[data-scroll] > div");
  const seen = new Set(SL.detect(doc, url).rows.map((r) => r.username));
  // Scrolling: the list drops its first 6 rows and renders 6 new ones (as Instagram does).
  const template = list.children[0].outerHTML;
  for (let batch = 0; batch < 3; batch += 1) {
    for (let i = 0; i < 6; i += 1) {
      list.children[0].remove();
      const n = 100 + batch * 6 + i;
      list.insertAdjacentHTML("beforeend", template.replaceAll("joao.pedro", `late_${n}`).replaceAll("João Pedro", `Late ${n}`));
    }
    const rows = SL.detect(doc, url).rows;
    assert.equal(rows.length, 12, "the DOM never holds more than the slice");
    rows.forEach((r) => seen.add(r.username));
  }
  assert.equal(seen.size, 12 + 18);
  assert.ok(seen.has("joao.pedro") && seen.has("late_117"));
});

test("post likers dialog in Portuguese ('Curtidas'): names, 'Verificado', a row without a name or avatar", () => {
  const url = "https://www.instagram.com/p/C9xyz/";
  const result = detect("ig_likers_pt.html", url);
  assert.equal(result.pageType, "post_likers");
  assert.equal(result.recognised, true);
  assert.deepEqual(result.rows[0], {
    platform: "instagram",
    username: "bia.costa",
    profile_url: "https://www.instagram.com/bia.costa/",
    full_name: "Beatriz Costa",
    avatar_url: "https://scontent.cdninstagram.com/bia.costa.jpg",
    verified: true,
    source_url: url,
  });
  assert.deepEqual(
    result.rows.map((r) => [r.username, r.full_name, !!r.avatar_url]),
    [["bia.costa", "Beatriz Costa", true], ["rafa.oliveira", "Rafael Oliveira", true], ["lojinha_99", undefined, true], ["thiago.m", "Thiago Moreira", false]],
    "'Seguir', 'Seguindo' and 'Solicitado' are buttons, never names; the post's author behind the dialog is not a liker",
  );
});

test("post likers on the /p/<code>/liked_by/ page (no dialog): the list is the page, the nav is not", () => {
  const url = "https://www.instagram.com/p/C1abc/liked_by/";
  const result = detect("ig_liked_by_page.html", url);
  assert.equal(result.pageType, "post_likers");
  assert.deepEqual(result.rows.map((r) => [r.username, r.full_name]), [["studio.luz", "Studio Luz Fotografia"], ["pedro_h", "Pedro H."]]);
});

test("lazy rows: the likers dialog renders more likers as it scrolls; each slice adds new people", async () => {
  const { documentOf, fixture, SL } = await import("./helpers.js");
  const doc = documentOf(fixture("ig_likers.html"));
  const url = "https://www.instagram.com/p/C1abc/";
  const list = doc.querySelector("[data-scroll] > div");
  const template = list.children[1].outerHTML; // pedro_h's row
  const seen = new Set(SL.detect(doc, url).rows.map((r) => r.username));
  for (let i = 0; i < 5; i += 1) list.insertAdjacentHTML("beforeend", template.replaceAll("pedro_h", `liker_${i}`));
  list.children[0].remove(); // and the first rows leave the DOM
  const rows = SL.detect(doc, url).rows;
  rows.forEach((r) => seen.add(r.username));
  assert.equal(rows.length, 8);
  assert.ok(!rows.some((r) => r.username === "studio.luz"));
  assert.equal(seen.size, 4 + 5);
});

test("a likers dialog whose rows the selectors no longer find says so ('no_rows'), it is not an empty capture", async () => {
  const { documentOf, fixture, SL } = await import("./helpers.js");
  const doc = documentOf(fixture("ig_likers.html"));
  // A new layout: the rows link to profiles through buttons instead of /<username>/ links.
  for (const a of doc.querySelectorAll("[role='dialog'] a")) a.setAttribute("href", "#");
  const result = JSON.parse(JSON.stringify(SL.detect(doc, "https://www.instagram.com/p/C1abc/")));
  assert.equal(result.pageType, "post_likers");
  assert.equal(result.recognised, false);
  assert.equal(result.reason, "no_rows");
  assert.deepEqual(result.rows, []);
});
