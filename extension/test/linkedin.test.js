import assert from "node:assert/strict";
import { test } from "node:test";
import { detect } from "./helpers.js";

const SEARCH = "https://www.linkedin.com/search/results/people/?keywords=sales&origin=SWITCH_SEARCH_VERTICAL";

test("people search (logged-in layout): slug, name, headline, location, avatar; no button or degree noise", () => {
  const result = detect("li_search.html", SEARCH);
  assert.equal(result.pageType, "people_search");
  assert.equal(result.rows.length, 5);
  assert.deepEqual(result.rows[0], {
    platform: "linkedin",
    username: "ana-souza-123",
    profile_url: "https://www.linkedin.com/in/ana-souza-123/",
    full_name: "Ana Souza",
    headline: "Head of Sales at Acme",
    location: "São Paulo, Brazil",
    avatar_url: "https://media.licdn.com/ana-souza-123.jpg",
    source_url: SEARCH,
  });
  const diego = result.rows.find((r) => r.username === "diego-alves");
  assert.equal(diego.headline, undefined, "missing headline stays missing");
  assert.equal(diego.location, undefined);
});

test("people search in Portuguese ('Conectar', '3º+', 'Ver perfil de')", () => {
  const [row] = detect("li_search_pt.html", "https://www.linkedin.com/search/results/people/?keywords=diretor").rows;
  assert.equal(row.full_name, "Fábio Rocha");
  assert.equal(row.headline, "Diretor Comercial na Rocha Ltda");
  assert.equal(row.location, "Belo Horizonte, Minas Gerais, Brasil");
});

test("profile, logged-in layout: headline, company, location, followers, about, e-mail, verified", () => {
  const [row] = detect("li_profile_loggedin.html", "https://www.linkedin.com/in/ana-souza-123/").rows;
  assert.deepEqual(row, {
    platform: "linkedin",
    username: "ana-souza-123",
    profile_url: "https://www.linkedin.com/in/ana-souza-123/",
    full_name: "Ana Souza",
    headline: "Head of Sales at Acme | B2B SaaS",
    company: "Acme",
    location: "São Paulo, São Paulo, Brazil",
    bio: "Helping retailers sell more. Write me: ana@acme.com",
    followers: "2,345",
    avatar_url: "https://media.licdn.com/dms/ana.jpg",
    email: "ana@acme.com",
    verified: true,
    source_url: "https://www.linkedin.com/in/ana-souza-123/",
  });
});

test("profile, public (logged-out) layout", () => {
  const [row] = detect("li_profile_public.html", "https://br.linkedin.com/in/bruno-lima?trk=people-guest").rows;
  assert.equal(row.full_name, "Bruno Lima");
  assert.equal(row.headline, "Founder @ Lima Tech | SaaS for bakeries");
  assert.equal(row.company, "Lima Tech");
  assert.equal(row.location, "Rio de Janeiro, Brazil");
  assert.equal(row.followers, "3K");
  assert.equal(row.profile_url, "https://www.linkedin.com/in/bruno-lima/");
});

test("profile with only a name: the name, nothing else", () => {
  const [row] = detect("li_profile_missing.html", "https://www.linkedin.com/in/carla-dias/").rows;
  assert.deepEqual(row, {
    platform: "linkedin",
    username: "carla-dias",
    profile_url: "https://www.linkedin.com/in/carla-dias/",
    full_name: "Carla Dias",
    source_url: "https://www.linkedin.com/in/carla-dias/",
  });
});

test("connections list", () => {
  const result = detect("li_connections.html", "https://www.linkedin.com/mynetwork/invite-connect/connections/");
  assert.equal(result.pageType, "connections");
  assert.deepEqual(
    result.rows.map((r) => [r.username, r.full_name, r.headline]),
    [
      ["ana-souza-123", "Ana Souza", "Head of Sales at Acme"],
      ["bruno-lima", "Bruno Lima", "Founder @ Lima Tech | SaaS"],
      ["carla-dias-9a8b7c", "Carla Dias", "Marketing Manager"],
    ],
  );
});

test("walls: security check, authwall; the feed is not recognised", () => {
  assert.equal(detect("li_checkpoint.html", "https://www.linkedin.com/in/ana/").wall.kind, "challenge");
  assert.equal(detect("li_checkpoint.html", "https://www.linkedin.com/authwall?trk=x").wall.kind, "login");
  const feed = detect("unrelated.html", "https://www.linkedin.com/feed/");
  assert.equal(feed.recognised, false);
  assert.equal(feed.reason, "not_recognised");
});

test("profile in Portuguese (logged-in): 'Empresa atual', 'seguidores', 'Verificado'", () => {
  const [row] = detect("li_profile_pt.html", "https://www.linkedin.com/in/mariana-costa/?locale=pt_BR").rows;
  assert.deepEqual(row, {
    platform: "linkedin",
    username: "mariana-costa",
    profile_url: "https://www.linkedin.com/in/mariana-costa/",
    full_name: "Mariana Costa",
    headline: "Diretora de Vendas na Costa & Filhos | Varejo",
    company: "Costa & Filhos",
    location: "Curitiba, Paraná, Brasil",
    bio: "Vendas B2B para o varejo. Contato: mariana@costafilhos.com.br",
    followers: "1.234",
    avatar_url: "https://media.licdn.com/dms/mariana.jpg",
    email: "mariana@costafilhos.com.br",
    verified: true,
    source_url: "https://www.linkedin.com/in/mariana-costa/?locale=pt_BR",
  });
});

test("connections in Portuguese, with a card missing its occupation and a placeholder avatar", () => {
  const url = "https://www.linkedin.com/mynetwork/invite-connect/connections/";
  const result = detect("li_connections_pt.html", url);
  assert.equal(result.pageType, "connections");
  assert.deepEqual(result.rows, [
    {
      platform: "linkedin",
      username: "mariana-costa",
      profile_url: "https://www.linkedin.com/in/mariana-costa/",
      full_name: "Mariana Costa",
      headline: "Diretora de Vendas na Costa & Filhos",
      avatar_url: "https://media.licdn.com/mariana-costa.jpg",
      source_url: url,
    },
    {
      platform: "linkedin",
      username: "joao-batista-55",
      profile_url: "https://www.linkedin.com/in/joao-batista-55/",
      full_name: "João Batista",
      source_url: url,
    },
  ]);
});

test("lazy rows: connection cards loaded as the page scrolls are read on the next pass", async () => {
  const { documentOf, fixture, SL } = await import("./helpers.js");
  const url = "https://www.linkedin.com/mynetwork/invite-connect/connections/";
  const doc = documentOf(fixture("li_connections.html"));
  const list = doc.querySelector("main ul");
  const template = list.children[2].outerHTML;
  assert.equal(SL.detect(doc, url).rows.length, 3);
  for (let i = 1; i <= 4; i += 1) list.insertAdjacentHTML("beforeend", template.replaceAll("carla-dias-9a8b7c", `nova-${i}`).replaceAll("Carla Dias", `Nova ${i}`));
  const rows = SL.detect(doc, url).rows;
  assert.equal(rows.length, 7);
  assert.deepEqual(rows[6], {
    platform: "linkedin", username: "nova-4", profile_url: "https://www.linkedin.com/in/nova-4/", full_name: "Nova 4",
    headline: "Marketing Manager", avatar_url: "https://media.licdn.com/nova-4.jpg", source_url: url,
  });
});

test("lazy rows: search results still rendering (empty placeholders) are skipped until they fill in", async () => {
  const { documentOf, fixture, SL } = await import("./helpers.js");
  const doc = documentOf(fixture("li_search.html"));
  const list = doc.querySelector("main ul[role='list']");
  const filled = list.children[0].outerHTML;
  for (let i = 0; i < 3; i += 1) list.insertAdjacentHTML("beforeend", '<li class="reusable-search__result-container"><div class="entity-result--occluded artdeco-loader"></div></li>');
  assert.equal(SL.detect(doc, SEARCH).rows.length, 5, "placeholders are not people");
  list.lastElementChild.outerHTML = filled.replaceAll("ana-souza-123", "late-row").replaceAll("Ana Souza", "Late Row");
  const rows = SL.detect(doc, SEARCH).rows;
  assert.equal(rows.length, 6);
  assert.equal(rows[5].full_name, "Late Row");
});

test("a search page whose result rows the selectors no longer find is 'no_rows' (the popup says so)", () => {
  const result = detect("unrelated.html", SEARCH);
  assert.equal(result.pageType, "people_search");
  assert.equal(result.recognised, false);
  assert.equal(result.reason, "no_rows");
});

test("search pagination: the enabled 'Next' is offered, a disabled 'Avançar' on the last page is not, no pagination is none", async () => {
  const { documentOf, fixture, SL } = await import("./helpers.js");
  const parser = SL.parsers.find((p) => p.platform === "linkedin" && p.pageType === "people_search");
  const first = documentOf(fixture("li_search.html"));
  assert.equal(parser.nextPage(first).getAttribute("aria-label"), "Next");
  assert.equal(parser.parse(first, SEARCH).length, 5, "page-number buttons are not people");
  assert.equal(parser.nextPage(documentOf(fixture("li_search_pt.html"))), null, "the last page's Avançar is disabled");
  const ariaDisabled = documentOf(fixture("li_search.html").replace('aria-label="Next"', 'aria-label="Next" aria-disabled="true"'));
  assert.equal(parser.nextPage(ariaDisabled), null);
  assert.equal(parser.nextPage(documentOf(fixture("li_profile_loggedin.html"))), null);
});
