// Every LinkedIn selector, URL shape and page word in one place — parsers, the messaging-thread parser
// and the wall detector read them from here. Logged-in pages use generated class names, the public
// (logged-out) profile uses stable top-card classes: both layouts are listed, structure first.
(function (root) {
  const SL = (root.SnapLeads = root.SnapLeads || {});
  SL.selectors = SL.selectors || {};
  SL.selectors.linkedin = {
    urls: {
      peopleSearch: /^\/search\/results\/people\/?/,
      connections: /^\/mynetwork\/invite-connect\/connections\/?/,
      profile: /^\/in\/([^/?#]+)\/?/,
      messagingThread: /^\/messaging\/thread\/[^/]+\/?$/,
    },
    main: ["main", "div[role='main']"],
    resultsList: ["main ul[role='list']", "main .search-results-container ul", "main ul"],
    resultRow: ["li"],
    rowClosest: "li", // the row (search result, connection card) a profile link sits in
    // Search results come 10 to a page; the capture goes on with "Next" ("Avançar") like a person would.
    nextPage: [
      "button.artdeco-pagination__button--next",
      "button[aria-label='Next']",
      "button[aria-label='Avançar']",
    ],
    profileLink: ["a[href*='/in/']"],
    // Link text on result rows: the visible name is aria-hidden, the rest is "View X's profile".
    rowName: ["a[href*='/in/'] span[aria-hidden='true']", "a[href*='/in/'] > span:first-child", "a[href*='/in/']"],
    rowAvatar: ["img[alt]", "img"],
    connectionsList: ["main ul", "section ul"],
    profileName: ["main h1", "h1.top-card-layout__title", "h1"],
    profileTopCard: "section", // the card around the name (followers count)
    profileNameBox: "div", // the box around the name (verified badge)
    profileHeadline: [
      "main h1 ~ div[data-headline]",
      "h2.top-card-layout__headline",
      "main section div.text-body-medium",
      "main h1 + div",
    ],
    profileLocation: [
      "main section span.text-body-small.inline",
      ".top-card__subline-item",
      "main [data-location]",
    ],
    profileCompany: [
      "button[aria-label^='Current company']",
      "button[aria-label^='Empresa atual']",
      "[data-section='currentPositionsDetails'] a",
      "[data-section='currentPositionsDetails']",
    ],
    profileAbout: ["section[data-section='summary'] p", "#about ~ div span[aria-hidden='true']", "section.summary p"],
    profileAvatar: [
      "img.pv-top-card-profile-picture__image",
      "img.top-card__profile-image",
      "main section img[alt]",
    ],
    verifiedBadge: ["svg[data-test-icon*='verified']", "[aria-label='Verified']", "[aria-label='Verificado']", "[aria-label*='verified' i]"],
    // Messaging thread (/messaging/thread/<id>/): message groups name their sender.
    messaging: {
      participantHeader: ["#thread-detail-jump-target", ".msg-thread__link-to-profile", "main h2"],
      participantLink: ["a.msg-thread__link-to-profile", "main header a[href*='/in/']", "a[href*='/in/']"],
      list: ["ul.msg-s-message-list-content", ".msg-s-message-list", "main [role='list']"],
      event: ["li.msg-s-message-list__event", "li"],
      senderName: [".msg-s-message-group__name", "[data-sender-name]"],
      body: [".msg-s-event-listitem__body", "p"],
      time: ["time[datetime]", "time"],
      inboundClass: "msg-s-event-listitem--other",
      eventIdAttr: "data-event-urn",
    },
    walls: {
      challengeUrl: /^\/checkpoint\/challenge\b/,
      loginUrl: /^\/(authwall|login|uas\/login)\b/,
      rateText: [/commercial use limit/i, /limite de uso comercial/i, /too many requests/i, /muitas solicitações/i],
      challengeText: [/quick security check/i, /verificação de segurança rápida/i, /let'?s do a quick/i],
    },
    words: {
      followers: ["followers", "seguidores"],
      connections: ["connections", "conexões", "conexoes"],
      noise: [
        /^(?:connect|conectar|message|mensagem|enviar mensagem|follow|seguir|pending|pendente|remove|remover)$/i,
        /^view .*profile$/i,
        /^ver perfil/i,
        /^(?:•\s*)?(?:1st|2nd|3rd\+?|1º|2º|3º\+?|[123][ºo°])(?:\s+degree connection)?$/i,
        /^(?:status is|o status)/i,
        /^(?:connected|conectado) /i,
        /mutual connection|conexões? em comum|conexão em comum/i,
        /^(?:current|atual|past|anterior):/i,
      ],
      companyPrefix: /^(?:current company|empresa atual):\s*/i,
    },
  };

  /** The profile slug of a link (https://www.linkedin.com/in/<slug>/...), or null. */
  SL.linkedinSlug = function linkedinSlug(href, pageUrl) {
    try {
      const url = new URL(href, pageUrl || "https://www.linkedin.com/");
      if (!/(^|\.)linkedin\.com$/.test(url.hostname)) return null;
      const m = url.pathname.match(SL.selectors.linkedin.urls.profile);
      return m ? decodeURIComponent(m[1]) : null;
    } catch (_e) {
      return null;
    }
  };

  /** One person row (search result, connection card) → lead: name, headline, location, avatar. */
  SL.linkedinRow = function linkedinRow(row, slug, pageUrl) {
    const S = SL.selectors.linkedin;
    const dom = SL.dom;
    let name = dom.firstText(row, S.rowName);
    name = name.replace(/^(?:view|ver)\s+/i, "").replace(/[’']s profile$/i, "").trim();
    const lines = dom
      .lines(row)
      .filter((l) => l !== name && !l.startsWith(name + " ") && !S.words.noise.some((re) => re.test(l)));
    const img = dom.first(row, S.rowAvatar);
    const src = img ? img.getAttribute("src") || "" : "";
    return SL.lead({
      platform: "linkedin",
      username: slug,
      profile_url: `https://www.linkedin.com/in/${slug}/`,
      full_name: name,
      headline: lines[0] || "",
      location: lines[1] || "",
      avatar_url: src.startsWith("data:") ? "" : src,
      verified: !!dom.first(row, S.verifiedBadge),
      source_url: pageUrl,
    });
  };

  /** Person rows of a list: every distinct /in/ link inside its closest row element. */
  SL.linkedinRows = function linkedinRows(scope, pageUrl) {
    const S = SL.selectors.linkedin;
    const seen = new Set();
    const rows = [];
    for (const link of SL.dom.all(scope, S.profileLink)) {
      const slug = SL.linkedinSlug(link.getAttribute("href"), pageUrl);
      if (!slug || seen.has(slug)) continue;
      const row = link.closest(S.rowClosest);
      if (!row) continue;
      seen.add(slug);
      rows.push(SL.linkedinRow(row, slug, pageUrl));
    }
    return rows;
  };
})(globalThis);
