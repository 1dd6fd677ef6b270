// Instagram profile page (https://www.instagram.com/<username>/): one lead with every field shown.
(function (root) {
  const SL = (root.SnapLeads = root.SnapLeads || {});

  function usernameFromUrl(url) {
    return SL.instagramHandle(url, url);
  }

  SL.registerParser({
    platform: "instagram",
    pageType: "profile",
    kind: "single",
    match(url, doc) {
      const S = SL.selectors.instagram;
      return !!usernameFromUrl(url) && !!SL.dom.first(doc, S.profileHeader);
    },
    parse(doc, url) {
      const S = SL.selectors.instagram;
      const dom = SL.dom;
      const header = dom.first(doc, S.profileHeader);
      const username = usernameFromUrl(url);
      const ogTitle = dom.meta(doc, "og:title");
      const ogDescription = dom.meta(doc, "og:description");
      const titleMatch = ogTitle.match(S.ogTitle);
      const headerText = dom.text(header);
      const statsText = dom.all(header, S.statItems).map(dom.text).join(" , ") || headerText;
      const countText = (words) => dom.countBefore(ogDescription, words) || dom.countBefore(statsText, words);
      const bio = dom.firstText(header, S.profileBio);
      const websiteLink = dom.first(header, S.profileWebsite);
      const avatar = dom.first(header, S.profileAvatar);
      const fullName = (titleMatch && titleMatch[1]) || dom.firstText(header, S.profileName);
      return [
        SL.lead({
          platform: "instagram",
          username,
          profile_url: `https://www.instagram.com/${username}/`,
          full_name: fullName && fullName !== username ? fullName : "",
          avatar_url: avatar ? avatar.getAttribute("src") || "" : "",
          bio,
          followers: countText(S.words.followers),
          following: countText(S.words.following),
          posts: countText(S.words.posts),
          verified: !!dom.first(header, S.verifiedBadge),
          website: websiteLink ? dom.unwrapRedirect(dom.absolute(websiteLink.getAttribute("href"), url)) : "",
          email: dom.email(bio),
          phone: dom.phone(bio),
          source_url: url,
        }),
      ];
    },
  });
})(globalThis);
