// LinkedIn connections list (https://www.linkedin.com/mynetwork/invite-connect/connections/): lazy rows.
(function (root) {
  const SL = (root.SnapLeads = root.SnapLeads || {});

  SL.registerParser({
    platform: "linkedin",
    pageType: "connections",
    kind: "list",
    match(url, doc) {
      const S = SL.selectors.linkedin;
      return S.urls.connections.test(new URL(url).pathname) && !!SL.dom.first(doc, S.main);
    },
    parse(doc, url) {
      return SL.linkedinRows(SL.dom.first(doc, SL.selectors.linkedin.main), url);
    },
    listContainer() {
      return null;
    },
  });
})(globalThis);
