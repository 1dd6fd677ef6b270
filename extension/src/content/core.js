// SnapLeads content-script core: the namespace, DOM helpers and the parser registry.
// Classic script (content scripts cannot be ES modules); it only writes to globalThis.SnapLeads, so the
// node unit tests import the very same file.
(function (root) {
  const SL = (root.SnapLeads = root.SnapLeads || {});
  SL.selectors = SL.selectors || {};
  SL.parsers = SL.parsers || [];
  SL.dmParsers = SL.dmParsers || [];

  const EMAIL = /[A-Z0-9._%+-]+@[A-Z0-9.-]+\.[A-Z]{2,}/i;
  const PHONE = /(?:\+?\d{1,3}[\s.-]?)?\(?\d{2,3}\)?[\s.-]?\d{4,5}[\s.-]?\d{4}/;

  const dom = {
    /** Whitespace-collapsed text of a node (empty string for null). */
    text(node) {
      return node ? (node.textContent || "").replace(/\s+/g, " ").trim() : "";
    },
    /** First element matching any selector of a list (one selector per layout we know). */
    first(scope, selectors) {
      if (!scope) return null;
      for (const selector of [].concat(selectors || [])) {
        try {
          const found = scope.querySelector(selector);
          if (found) return found;
        } catch (_e) {
          /* a selector this DOM implementation does not support: try the next one */
        }
      }
      return null;
    },
    all(scope, selectors) {
      if (!scope) return [];
      const out = [];
      for (const selector of [].concat(selectors || [])) {
        try {
          for (const el of scope.querySelectorAll(selector)) if (!out.includes(el)) out.push(el);
        } catch (_e) {
          /* see first() */
        }
      }
      return out;
    },
    /** Text of the first match that has any (an empty avatar link does not hide the name link). */
    firstText(scope, selectors) {
      for (const el of dom.all(scope, selectors)) {
        const value = dom.text(el);
        if (value) return value;
      }
      return "";
    },
    attr(node, name) {
      return node ? (node.getAttribute(name) || "").trim() : "";
    },
    meta(doc, property) {
      const el = doc.querySelector(`meta[property="${property}"], meta[name="${property}"]`);
      return el ? (el.getAttribute("content") || "").trim() : "";
    },
    /** Text lines of a row: the text of each leaf-ish element, in order, without repeats. */
    lines(scope) {
      if (!scope) return [];
      const out = [];
      for (const el of scope.querySelectorAll("*")) {
        if (el.closest("button, svg, script, style, [aria-hidden='true'] [aria-hidden='true']")) continue;
        const hasElementChildWithText = [...el.children].some((c) => dom.text(c));
        if (hasElementChildWithText) continue;
        const value = dom.text(el);
        if (value && !out.includes(value)) out.push(value);
      }
      return out;
    },
    email(text) {
      const m = (text || "").match(EMAIL);
      return m ? m[0] : "";
    },
    phone(text) {
      const m = (text || "").match(PHONE);
      return m ? m[0].trim() : "";
    },
    /** Absolute URL for an href (relative links resolved against the page). */
    absolute(href, base) {
      try {
        return new URL(href, base).href;
      } catch (_e) {
        return "";
      }
    },
    /** The real destination of a platform's outbound redirect (l.instagram.com/?u=, l.facebook.com/l.php?u=). */
    unwrapRedirect(href) {
      try {
        const url = new URL(href);
        const target = url.searchParams.get("u");
        if (target && /^l\.|^lm\./.test(url.hostname)) return target;
        return href;
      } catch (_e) {
        return href || "";
      }
    },
    /** The count that precedes a word ("1,234 followers", "12,5 mil seguidores") — raw page text;
     * the CRM normalises "12,5 mil" / "1.2k" (see BatchLeadIn). */
    countBefore(text, words) {
      const source = (text || "").replace(/\u00a0/g, " ");
      for (const word of words) {
        const re = new RegExp(`([\\d][\\d.,\\s]*(?:\\s?(?:mil|mi|k|m|b|mil\\.|mi\\.))?)\\s*${word}`, "i");
        const m = source.match(re);
        if (m) return m[1].trim();
      }
      return "";
    },
  };
  SL.dom = dom;

  /** A lead record with only the fields the page showed (empty ones dropped: a missing field is
   * absent, never a crash). */
  SL.lead = function lead(fields) {
    const out = {};
    for (const [key, value] of Object.entries(fields)) {
      if (value === undefined || value === null || value === "") continue;
      if (key === "verified" && value !== true) continue;
      out[key] = value;
    }
    return out;
  };

  /** Register a page parser: { platform, pageType, kind: "list"|"single", match(url, doc), parse(doc, url),
   * listContainer?(doc) }. */
  SL.registerParser = function registerParser(parser) {
    SL.parsers = SL.parsers.filter((p) => !(p.platform === parser.platform && p.pageType === parser.pageType));
    SL.parsers.push(parser);
  };
  SL.registerDmParser = function registerDmParser(parser) {
    SL.dmParsers = SL.dmParsers.filter((p) => p.platform !== parser.platform);
    SL.dmParsers.push(parser);
  };

  SL.platformOf = function platformOf(url) {
    const host = new URL(url).hostname;
    for (const [domain, platform] of [["instagram.com", "instagram"], ["facebook.com", "facebook"], ["linkedin.com", "linkedin"]]) {
      if (host === domain || host.endsWith(`.${domain}`)) return platform; // www., m., br., pt-br.
    }
    return null;
  };

  /** What the page offers: { platform, pageType, kind, recognised, reason, rows }. Never throws. reason:
   * "unsupported_site", a wall kind, "not_recognised" (no parser reads this page) or "no_rows" (a list
   * page whose rows none of the selectors find). */
  SL.detect = function detect(doc, url) {
    let platform = null;
    try {
      platform = SL.platformOf(url);
    } catch (_e) {
      platform = null;
    }
    if (!platform) return { platform: null, pageType: null, recognised: false, reason: "unsupported_site", rows: [] };
    const wall = SL.detectWall ? SL.detectWall(doc, url, platform) : null;
    if (wall) return { platform, pageType: null, recognised: false, reason: wall.kind, wall, rows: [] };
    for (const dm of SL.dmParsers) {
      if (dm.platform !== platform) continue;
      try {
        if (dm.match(url, doc)) {
          const thread = dm.parse(doc, url);
          return { platform, pageType: dm.pageType, kind: "dm", recognised: !!thread, reason: thread ? null : "not_recognised", thread, rows: [] };
        }
      } catch (_e) {
        return { platform, pageType: dm.pageType, kind: "dm", recognised: false, reason: "not_recognised", rows: [] };
      }
    }
    // List views first: a followers dialog opens on top of the profile page it belongs to.
    const ordered = [...SL.parsers].sort((a, b) => (a.kind === "list" ? 0 : 1) - (b.kind === "list" ? 0 : 1));
    for (const parser of ordered) {
      if (parser.platform !== platform) continue;
      let matched = false;
      try {
        matched = parser.match(url, doc);
      } catch (_e) {
        matched = false;
      }
      if (!matched) continue;
      try {
        const rows = parser.parse(doc, url) || [];
        // A list with no person in it: still loading, empty, or a layout the selectors no longer read —
        // never a capture that scrolls and "finishes" with nothing.
        if (parser.kind === "list" && !rows.length) {
          return { platform, pageType: parser.pageType, kind: parser.kind, recognised: false, reason: "no_rows", rows: [] };
        }
        return { platform, pageType: parser.pageType, kind: parser.kind, recognised: true, reason: null, rows };
      } catch (_e) {
        return { platform, pageType: parser.pageType, kind: parser.kind, recognised: false, reason: "not_recognised", rows: [] };
      }
    }
    return { platform, pageType: null, recognised: false, reason: "not_recognised", rows: [] };
  };
})(globalThis);
