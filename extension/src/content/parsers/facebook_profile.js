// Facebook profile or page (https://www.facebook.com/<name> or /profile.php?id=<id>): one lead.
(function (root) {
  const SL = (root.SnapLeads = root.SnapLeads || {});

  SL.registerParser({
    platform: "facebook",
    pageType: "profile",
    kind: "single",
    match(url, doc) {
      return !!SL.facebookProfile(url, url) && !!SL.dom.first(doc, SL.selectors.facebook.profileName);
    },
    parse(doc, url) {
      const S = SL.selectors.facebook;
      const dom = SL.dom;
      const profile = SL.facebookProfile(url, url);
      const main = dom.first(doc, S.main) || doc.body;
      const nameEl = dom.first(doc, S.profileName);
      // The name heading may carry the verified badge and a nickname in brackets.
      const fullName = dom.text(nameEl).replace(/\s*\(.*\)\s*$/, "") || dom.meta(doc, "og:title");
      const intro = dom.first(doc, S.intro);
      const lines = dom.all(intro, S.introItems).map(dom.text).filter(Boolean);
      const allText = dom.text(main);
      const facts = SL.facebookFacts(lines);
      const website = dom.first(intro, S.websiteLink);
      const image = dom.first(doc, S.profileAvatar);
      const bioLine = lines.find((l) => !Object.keys(SL.facebookFacts([l])).length && !dom.email(l) && !dom.phone(l)) || "";
      return [
        SL.lead({
          platform: "facebook",
          username: /^\d+$/.test(profile.id) ? "" : profile.id,
          profile_url: profile.url,
          full_name: fullName,
          avatar_url: SL.facebookImage(image),
          bio: bioLine || dom.meta(doc, "og:description"),
          headline: facts.headline || "",
          company: facts.company || "",
          location: facts.location || "",
          followers: dom.countBefore(allText, S.words.followers),
          following: dom.countBefore(allText, S.words.following),
          website: website ? dom.unwrapRedirect(dom.absolute(website.getAttribute("href"), url)) : "",
          email: lines.map(dom.email).find(Boolean) || "",
          phone: lines.map(dom.phone).find(Boolean) || "",
          verified: !!dom.first(nameEl ? nameEl.parentElement : main, S.verifiedBadge),
          source_url: url,
        }),
      ];
    },
  });
})(globalThis);
