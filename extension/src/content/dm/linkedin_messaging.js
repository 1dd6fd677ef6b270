// LinkedIn messaging thread (https://www.linkedin.com/messaging/thread/<id>/) → the lead and messages.
// Message groups name their sender; a group by the thread's participant is inbound. Selectors:
// selectors/linkedin.js.
(function (root) {
  const SL = (root.SnapLeads = root.SnapLeads || {});

  SL.registerDmParser({
    platform: "linkedin",
    pageType: "messaging_thread",
    match(url) {
      return SL.selectors.linkedin.urls.messagingThread.test(new URL(url).pathname);
    },
    parse(doc, url) {
      const SEL = SL.selectors.linkedin.messaging;
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
        const inbound = event.classList.contains(SEL.inboundClass) || (sender && sender === participant);
        const time = dom.first(event, SEL.time);
        messages.push({
          direction: inbound ? "inbound" : "outbound",
          body,
          sent_at: time ? time.getAttribute("datetime") || null : null,
          external_id: event.getAttribute(SEL.eventIdAttr) || null,
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
