// Facebook group members list (https://www.facebook.com/groups/<group>/members): rows load as you scroll.
(function (root) {
  const SL = (root.SnapLeads = root.SnapLeads || {});

  function groupId(url) {
    const m = new URL(url).pathname.match(SL.selectors.facebook.urls.groupMembers);
    return m ? m[1] : null;
  }

  SL.registerParser({
    platform: "facebook",
    pageType: "group_members",
    kind: "list",
    match(url, doc) {
      return !!groupId(url) && !!SL.dom.first(doc, SL.selectors.facebook.main);
    },
    parse(doc, url) {
      const S = SL.selectors.facebook;
      const dom = SL.dom;
      const main = dom.first(doc, S.main);
      const seen = new Set();
      const rows = [];
      for (const link of dom.all(main, S.memberLink)) {
        const profile = SL.facebookProfile(link.getAttribute("href"), url);
        if (!profile || seen.has(profile.id)) continue;
        const row = link.closest(S.memberRowClosest) || link.parentElement;
        const name = dom.text(link) || dom.attr(link, "aria-label");
        if (!name) continue; // the avatar link of a row whose name link comes next
        seen.add(profile.id);
        const lines = dom
          .lines(row)
          .filter((l) => l !== name && !S.words.noise.some((re) => re.test(l)));
        const facts = SL.facebookFacts(lines);
        const image = dom.first(row, S.memberAvatar);
        rows.push(
          SL.lead({
            platform: "facebook",
            username: /^\d+$/.test(profile.id) ? "" : profile.id,
            profile_url: profile.url,
            full_name: name,
            avatar_url: SL.facebookImage(image),
            headline: facts.headline || "",
            company: facts.company || "",
            location: facts.location || "",
            verified: !!dom.first(row, S.verifiedBadge),
            source_url: url,
          }),
        );
      }
      return rows;
    },
    listContainer() {
      return null; // the window scrolls
    },
  });
})(globalThis);
