// LinkedIn messaging thread (https://www.linkedin.com/messaging/thread/<id>/) → the lead and messages.
// Message groups name their sender; a group by the thread's participant is inbound.
(function (root) {
  const SL = (root.SnapLeads = root.SnapLeads || {});
  const SEL = {
    participantHeader: ["#thread-detail-jump-target", ".msg-thread__link-to-profile", "main h2"],
    participantLink: ["a.msg-thread__link-to-profile", "main header a[href*='/in/']", "a[href*='/in/']"],
    list: ["ul.msg-s-message-list-content", ".msg-s-message-list", "main [role='list']"],
    event: ["li.msg-s-message-list__event", "li"],
    senderName: [".msg-s-message-group__name", "[data-sender-name]"],
    body: [".msg-s-event-listitem__body", "p"],
    time: ["time[datetime]", "time"],
  };
  SL.selectors = SL.selectors || {};
  SL.selectors.linkedinMessaging = SEL;

  SL.registerDmParser({
    platform: "linkedin",
    pageType: "messaging_thread",
    match(url) {
      return /^\/messaging\/thread\/[^/]+\/?$/.test(new URL(url).pathname);
    },
    parse(doc, url) {
      const dom = SL.dom;
      const threadId = new URL(url).pathname.split("/").filter(Boolean)[2];
      const link = dom.first(doc, SEL.participantLink);
      const slug = link ? SL.linkedinSlug(link.getAttribute("href"), url) : null;
      const list = dom.first(doc, SEL.list);
      if (!slug || !list) return null;
      const participant = dom.firstText(doc, SEL.participantHeader) || dom.text(link);
      const messages = [];
      let sender = "";
      for (const event of dom.all(list, SEL.event)) {
        const named = dom.firstText(event, SEL.senderName);
        if (named) sender = named; // consecutive messages of one sender share the group's name
        const body = dom.firstText(event, SEL.body);
        if (!body) continue;
        const inbound = event.classList.contains("msg-s-event-listitem--other") || (sender && sender === participant);
        const time = dom.first(event, SEL.time);
        messages.push({
          direction: inbound ? "inbound" : "outbound",
          body,
          sent_at: time ? time.getAttribute("datetime") || null : null,
          external_id: event.getAttribute("data-event-urn") || null,
        });
      }
      return {
        platform: "linkedin",
        external_thread_id: threadId,
        thread_url: url,
        lead: SL.lead({ platform: "linkedin", username: slug, profile_url: `https://www.linkedin.com/in/${slug}/`, full_name: participant }),
        messages,
      };
    },
  });
})(globalThis);
