// Instagram direct thread (https://www.instagram.com/direct/t/<thread id>/) → the lead and its messages.
// Incoming bubbles carry the other person's avatar/profile link; ours do not. Selectors: selectors/instagram.js.
(function (root) {
  const SL = (root.SnapLeads = root.SnapLeads || {});

  SL.registerDmParser({
    platform: "instagram",
    pageType: "direct_thread",
    match(url) {
      return SL.selectors.instagram.urls.directThread.test(new URL(url).pathname);
    },
    parse(doc, url) {
      const SEL = SL.selectors.instagram.direct;
      const dom = SL.dom;
      const threadId = new URL(url).pathname.split("/").filter(Boolean)[2];
      const header = dom.first(doc, SEL.threadHeader);
      const grid = dom.first(doc, SEL.grid);
      if (!header || !grid) return null;
      let username = null;
      for (const a of header.querySelectorAll("a[href]")) {
        username = SL.instagramHandle(a.getAttribute("href"), url);
        if (username) break;
      }
      if (!username) return null;
      const fullName = dom.firstText(header, SEL.threadName);
      const fromLead = SEL.fromLead(username);
      const [inboundAttr, inboundValue] = SEL.inboundAttr;
      const messages = [];
      for (const row of dom.all(grid, SEL.row)) {
        if (row.parentElement && row.parentElement.closest(SEL.rowParent)) continue;
        const body = dom.text(dom.first(row, SEL.body));
        if (!body) continue;
        const inbound = !!dom.first(row, fromLead) || row.getAttribute(inboundAttr) === inboundValue;
        const time = dom.first(row, SEL.time);
        messages.push({
          direction: inbound ? "inbound" : "outbound",
          body: body.replace(fullName && body.startsWith(fullName + " ") ? fullName + " " : "", ""),
          sent_at: time ? time.getAttribute("datetime") : null,
          external_id: row.getAttribute(SEL.messageIdAttr) || null,
        });
      }
      return {
        platform: "instagram",
        external_thread_id: threadId,
        thread_url: url,
        lead: SL.lead({ platform: "instagram", username, profile_url: `https://www.instagram.com/${username}/`, full_name: fullName !== username ? fullName : "" }),
        messages,
      };
    },
  });
})(globalThis);
