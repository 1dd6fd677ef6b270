// LinkedIn profile page (https://www.linkedin.com/in/<slug>/), logged-in and public layouts.
(function (root) {
  const SL = (root.SnapLeads = root.SnapLeads || {});

  SL.registerParser({
    platform: "linkedin",
    pageType: "profile",
    kind: "single",
    match(url, doc) {
      return !!SL.linkedinSlug(url, url) && !!SL.dom.first(doc, SL.selectors.linkedin.profileName);
    },
    parse(doc, url) {
      const S = SL.selectors.linkedin;
      const dom = SL.dom;
      const slug = SL.linkedinSlug(url, url);
      const main = dom.first(doc, S.main) || doc.body;
      const nameEl = dom.first(doc, S.profileName);
      // og:title on public pages: "Ana Souza - Head of Sales - Acme | LinkedIn"
      const ogParts = dom.meta(doc, "og:title").replace(/\s*\|\s*LinkedIn\s*$/i, "").split(" - ");
      const companyEl = dom.first(doc, S.profileCompany);
      const company = companyEl
        ? (dom.attr(companyEl, "aria-label") || dom.text(companyEl)).replace(S.words.companyPrefix, "").split(".")[0].trim()
        : "";
      const avatar = dom.first(doc, S.profileAvatar);
      const topCard = nameEl ? nameEl.closest(S.profileTopCard) : null;
      const topText = dom.text(topCard || main);
      const about = dom.firstText(doc, S.profileAbout);
      return [
        SL.lead({
          platform: "linkedin",
          username: slug,
          profile_url: `https://www.linkedin.com/in/${slug}/`,
          full_name: dom.text(nameEl) || ogParts[0] || "",
          headline: dom.firstText(doc, S.profileHeadline) || ogParts[1] || "",
          company: company || (ogParts.length > 2 ? ogParts[2] : ""),
          location: dom.firstText(doc, S.profileLocation),
          bio: about,
          followers: dom.countBefore(topText, S.words.followers),
          avatar_url: avatar ? avatar.getAttribute("src") || "" : "",
          email: dom.email(about),
          verified: !!dom.first((nameEl && nameEl.closest(S.profileNameBox)) || main, S.verifiedBadge),
          source_url: url,
        }),
      ];
    },
  });
})(globalThis);
