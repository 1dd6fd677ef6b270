// Every Instagram selector, URL shape and page word in one place — page parsers, the direct-thread parser
// and the wall detector read them from here (class names are generated and change often: structure,
// roles, aria labels, link shapes and meta tags only). Update here when the site changes.
(function (root) {
  const SL = (root.SnapLeads = root.SnapLeads || {});
  SL.selectors = SL.selectors || {};
  SL.selectors.instagram = {
    reservedPaths: [
      "accounts", "explore", "direct", "reels", "reel", "p", "stories", "tv", "about", "legal",
      "challenge", "developer", "emails", "session", "web", "privacy", "terms", "api", "graphql",
    ],
    handle: /^[A-Za-z0-9._]{1,30}$/,
    urls: {
      likedBy: /^\/p\/[^/]+\/liked_by\/?$/,
      directThread: /^\/direct\/t\/[^/]+\/?$/,
    },
    profileHeader: ["main header", "header"],
    profileName: ["header section div > span[dir='auto']", "header section span[dir='auto']"],
    profileUsername: ["header h2", "header section h2"],
    profileBio: ["header section h1", "header section [data-bio]"],
    profileAvatar: ["header img[alt]", "header img"],
    profileWebsite: ["header a[href*='l.instagram.com']", "header a[rel~='me']", "header a[rel~='nofollow']"],
    profileCategory: ["header section [data-category]"],
    verifiedBadge: ["svg[aria-label='Verified']", "svg[aria-label='Verificado']", "[title='Verified']", "[title='Verificado']"],
    followersLink: ["a[href$='/followers/']"],
    followingLink: ["a[href$='/following/']"],
    statItems: ["header ul li", "header section ul li"],
    dialog: ["div[role='dialog']"],
    dialogHeading: ["h1", "h2", "[role='heading']"],
    rowScroller: ["div[role='dialog'] [data-scroll]", "div[role='dialog'] div[style*='overflow']"],
    rowButtons: ["button", "div[role='button']"],
    rowAvatar: ["img"],
    likersPage: ["main"], // /p/<code>/liked_by/: the list is the page itself
    // Direct thread (/direct/t/<id>/): incoming bubbles carry the other person's avatar/profile link.
    direct: {
      threadHeader: ["main header", "div[role='main'] header", "header"],
      threadName: ["h1", "h2", "[role='heading']"],
      grid: ["[role='grid']", "[aria-label^='Messages in conversation']", "[aria-label^='Mensagens na conversa']"],
      row: ["[role='row']", "[role='gridcell']"],
      rowParent: "[role='row']",
      body: ["[dir='auto']", "span", "div"],
      time: ["time[datetime]"],
      // A bubble from the lead links to (or shows the avatar of) their profile.
      fromLead: (handle) => [`a[href$="/${handle}/"]`, `a[href="/${handle}/"]`, `img[alt*="${handle}"]`],
      inboundAttr: ["data-direction", "in"],
      messageIdAttr: "data-message-id",
    },
    // Rate-limit, challenge and login walls (English and Portuguese): the governor pauses on them.
    walls: {
      challengeUrl: /^\/(challenge|accounts\/suspended|accounts\/disabled)\b/,
      loginUrl: /^\/accounts\/login\b/,
      rateText: [/try again later/i, /tente novamente mais tarde/i, /we restrict certain activity/i, /restringimos determinadas atividades/i, /please wait a few minutes/i, /aguarde alguns minutos/i],
      challengeText: [/confirm it'?s you/i, /confirme que é você/i, /suspicious (login|activity)/i, /atividade suspeita/i],
    },
    words: {
      followers: ["followers", "seguidores"],
      following: ["following", "seguindo"],
      posts: ["posts", "publicações", "publicacoes", "posts"],
      likes: ["likes", "curtidas"],
      buttons: ["follow", "following", "remove", "seguir", "seguindo", "remover", "requested", "solicitado", "message", "mensagem", "follow back", "seguir de volta"],
    },
    // og:description: "1,234 Followers, 56 Following, 78 Posts - See Instagram photos and videos from Ana (@ana)"
    // pt-BR:           "1.234 seguidores, 56 seguindo, 78 publicações - Veja as fotos e vídeos do Instagram de Ana (@ana)"
    ogTitle: /^(.*?)\s*\(@([A-Za-z0-9._]+)\)/,
  };

  /** Rows of a user list (followers, following, likers): one per distinct profile link, with the link's
   * nearest container that holds no other profile as its row. Works on a virtualised list's DOM slice. */
  SL.instagramRows = function instagramRows(scope, pageUrl) {
    const S = SL.selectors.instagram;
    const dom = SL.dom;
    const byHandle = new Map();
    for (const a of scope.querySelectorAll("a[href]")) {
      const handle = SL.instagramHandle(a.getAttribute("href"), pageUrl);
      if (!handle) continue;
      if (!byHandle.has(handle)) byHandle.set(handle, []);
      byHandle.get(handle).push(a);
    }
    const rows = [];
    for (const [handle, links] of byHandle) {
      let row = links[0];
      while (row.parentElement && row.parentElement !== scope) {
        const parent = row.parentElement;
        const others = [...parent.querySelectorAll("a[href]")].some((a) => {
          const h = SL.instagramHandle(a.getAttribute("href"), pageUrl);
          return h && h !== handle;
        });
        if (others) break;
        row = parent;
      }
      const buttonWords = S.words.buttons;
      const lines = dom.lines(row).filter((l) => {
        const low = l.toLowerCase();
        return low !== handle.toLowerCase() && !buttonWords.includes(low) && low !== "·" && low !== "•";
      });
      const img = dom.first(row, S.rowAvatar);
      rows.push(
        SL.lead({
          platform: "instagram",
          username: handle,
          profile_url: `https://www.instagram.com/${handle}/`,
          full_name: lines[0] || "",
          avatar_url: img ? img.getAttribute("src") || "" : "",
          verified: !!dom.first(row, S.verifiedBadge),
        }),
      );
    }
    return rows;
  };

  /** The handle a link points to ("/ana.souza/" or an absolute instagram.com URL), or null. */
  SL.instagramHandle = function instagramHandle(href, pageUrl) {
    if (!href) return null;
    let url;
    try {
      url = new URL(href, pageUrl || "https://www.instagram.com/");
    } catch (_e) {
      return null;
    }
    if (!/(^|\.)instagram\.com$/.test(url.hostname)) return null;
    const parts = url.pathname.split("/").filter(Boolean);
    if (parts.length !== 1) return null;
    const handle = parts[0];
    const S = SL.selectors.instagram;
    if (!S.handle.test(handle) || S.reservedPaths.includes(handle.toLowerCase())) return null;
    return handle;
  };
})(globalThis);
