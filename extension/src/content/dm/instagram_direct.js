// Instagram direct thread (https://www.instagram.com/direct/t/<thread id>/) → the lead and its messages.
// Incoming bubbles carry the other person's avatar/profile link; ours do not.
(function (root) {
  const SL = (root.SnapLeads = root.SnapLeads || {});
  const SEL = {
    threadHeader: ["main header", "div[role='main'] header", "header"],
    grid: ["[role='grid']", "[aria-label^='Messages in conversation']", "[aria-label^='Mensagens na conversa']"],
    row: ["[role='row']", "[role='gridcell']"],
    body: ["[dir='auto']", "span", "div"],
    time: ["time[datetime]"],
  };
  SL.selectors = SL.selectors || {};
  SL.selectors.instagramDirect = SEL;

  SL.registerDmParser({
    platform: "instagram",
    pageType: "direct_thread",
    match(url) {
      return /^\/direct\/t\/[^/]+\/?$/.test(new URL(url).pathname);
    },
    parse(doc, url) {
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
      const fullName = dom.text(header.querySelector("h1, h2, [role='heading']")) || "";
      const messages = [];
      for (const row of dom.all(grid, SEL.row)) {
        if (row.parentElement && row.parentElement.closest("[role='row']")) continue;
        const body = dom.text(dom.first(row, SEL.body));
        if (!body) continue;
        const fromLead =
          !!row.querySelector(`a[href$="/${username}/"], a[href="/${username}/"], img[alt*="${username}"]`) ||
          row.getAttribute("data-direction") === "in";
        const time = dom.first(row, SEL.time);
        messages.push({
          direction: fromLead ? "inbound" : "outbound",
          body: body.replace(fullName && body.startsWith(fullName + " ") ? fullName + " " : "", ""),
          sent_at: time ? time.getAttribute("datetime") : null,
          external_id: row.getAttribute("data-message-id") || null,
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
