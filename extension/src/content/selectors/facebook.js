// Every Facebook selector, URL shape and page word in one place — parsers and the wall detector read them
// from here (generated class names are never used).
(function (root) {
  const SL = (root.SnapLeads = root.SnapLeads || {});
  SL.selectors = SL.selectors || {};
  SL.selectors.facebook = {
    reservedPaths: [
      "groups", "pages", "events", "marketplace", "watch", "gaming", "login", "checkpoint", "settings",
      "help", "policies", "privacy", "messages", "notifications", "friends", "bookmarks", "search", "stories",
      "reel", "reels", "photo", "photos", "hashtag", "share", "sharer", "l.php", "dialog", "home.php",
    ],
    urls: { groupMembers: /^\/groups\/([^/]+)\/members\/?/ },
    main: ["div[role='main']", "main"],
    memberRow: ["div[role='listitem']", "[role='list'] > div", "li"],
    memberRowClosest: "div[role='listitem'], li", // the row a member link sits in
    memberAvatar: ["svg image, img"],
    imageSrcAttrs: ["xlink:href", "href", "src"], // <svg><image xlink:href> or <img src>
    memberLink: ["a[href*='/user/']", "a[href*='profile.php?id=']"],
    profileName: ["div[role='main'] h1", "h1"],
    profileAvatar: [
      "div[role='main'] svg[aria-label] image",
      "div[role='main'] a[aria-label] svg image",
      "div[role='main'] img[alt]",
    ],
    intro: ["div[role='main'] [data-pagelet*='Intro']", "div[role='main'] ul", "div[role='main']"],
    introItems: ["li", "div[role='listitem']"],
    websiteLink: ["a[href*='l.facebook.com/l.php']", "a[rel~='nofollow'][target='_blank']"],
    verifiedBadge: [
      "[aria-label='Verified account']",
      "[aria-label='Conta verificada']",
      "[title='Verified account']",
      "[title='Conta verificada']",
    ],
    walls: {
      challengeUrl: /^\/checkpoint\b/,
      loginUrl: /^\/login\b/,
      rateText: [/you'?re temporarily blocked/i, /você está temporariamente bloqueado/i, /you can'?t use this feature right now/i, /você não pode usar este recurso no momento/i, /going too fast/i, /rápido demais/i],
      challengeText: [/security check/i, /verificação de segurança/i, /confirm your identity/i, /confirme sua identidade/i],
    },
    words: {
      followers: ["followers", "seguidores"],
      following: ["following", "seguindo"],
      likes: ["likes", "curtidas"],
      worksAt: [/^(?:works at|worked at|trabalha (?:na|no|em)|trabalhou (?:na|no|em))\s+(.+)$/i],
      jobTitleAt: [/^(.+?)\s+(?:at|na|no|em)\s+(.+)$/i],
      livesIn: [/^(?:lives in|from|mora em|de)\s+(.+)$/i],
      notAJob: /^(?:studied|studies|went to|estudou|estuda|lives|mora|from|de |joined|entrou|member|membro)/i,
      membersHeading: ["members", "membros", "new to the group", "novos no grupo", "admins and moderators", "administradores e moderadores"],
      noise: [/^(?:joined|entrou|member since|membro desde|add friend|adicionar amigo|message|mensagem|follow|seguir|admin|moderator|moderador|administrador)/i],
    },
  };

  /** The profile a Facebook link points to → { id, url } (profile.php?id=, /groups/<g>/user/<id>/, or a
   * vanity /<name>), or null for anything else. */
  SL.facebookProfile = function facebookProfile(href, pageUrl) {
    let url;
    try {
      url = new URL(href, pageUrl || "https://www.facebook.com/");
    } catch (_e) {
      return null;
    }
    if (!/(^|\.)facebook\.com$/.test(url.hostname)) return null;
    const parts = url.pathname.split("/").filter(Boolean);
    if (parts[0] === "profile.php" && url.searchParams.get("id")) {
      const id = url.searchParams.get("id");
      return { id, url: `https://www.facebook.com/profile.php?id=${id}` };
    }
    if (parts[0] === "groups" && parts[2] === "user" && /^\d+$/.test(parts[3] || "")) {
      return { id: parts[3], url: `https://www.facebook.com/profile.php?id=${parts[3]}` };
    }
    if (parts.length === 1 && /^[A-Za-z0-9.]{3,80}$/.test(parts[0])) {
      const S = SL.selectors.facebook;
      if (S.reservedPaths.includes(parts[0].toLowerCase())) return null;
      return { id: parts[0], url: `https://www.facebook.com/${parts[0]}` };
    }
    return null;
  };

  /** The address of a profile picture (<svg><image xlink:href> or <img src>), or "". */
  SL.facebookImage = function facebookImage(image) {
    if (!image) return "";
    for (const name of SL.selectors.facebook.imageSrcAttrs) {
      const value = image.getAttribute(name);
      if (value) return value;
    }
    return "";
  };

  /** Company / job title / location from a line of "about" text, in English or Portuguese. */
  SL.facebookFacts = function facebookFacts(lines) {
    const W = SL.selectors.facebook.words;
    const facts = {};
    for (const line of lines) {
      if (!facts.company && !W.notAJob.test(line) && !W.worksAt.some((re) => re.test(line))) {
        const m = line.match(W.jobTitleAt[0]);
        if (m) {
          facts.headline = m[1];
          facts.company = m[2];
          continue;
        }
      }
      for (const re of W.worksAt) {
        const m = line.match(re);
        if (m && !facts.company) {
          const titled = m[1].match(/^(.+?)\s+(?:at|na|no|em)\s+(.+)$/i);
          facts.company = m[1];
          if (titled) {
            facts.headline = titled[1];
            facts.company = titled[2];
          }
        }
      }
      for (const re of W.livesIn) {
        const m = line.match(re);
        if (m && !facts.location) facts.location = m[1];
      }
    }
    return facts;
  };
})(globalThis);
