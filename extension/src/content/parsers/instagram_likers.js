// Instagram post likers: the "Likes"/"Curtidas" dialog on a post, or the /p/<code>/liked_by/ page.
(function (root) {
  const SL = (root.SnapLeads = root.SnapLeads || {});

  function likersScope(doc, url) {
    const S = SL.selectors.instagram;
    const dialog = SL.dom.all(doc, S.dialog).find((d) =>
      S.words.likes.includes(SL.dom.firstText(d, S.dialogHeading).toLowerCase()),
    );
    if (dialog) return dialog;
    if (S.urls.likedBy.test(new URL(url).pathname)) return SL.dom.first(doc, S.likersPage);
    return null;
  }

  SL.registerParser({
    platform: "instagram",
    pageType: "post_likers",
    kind: "list",
    match(url, doc) {
      return !!likersScope(doc, url);
    },
    parse(doc, url) {
      return SL.instagramRows(likersScope(doc, url), url).map((row) => ({ ...row, source_url: url }));
    },
    listContainer(doc, url) {
      const scope = likersScope(doc, url);
      return SL.dom.first(scope, SL.selectors.instagram.rowScroller) || scope;
    },
  });
})(globalThis);
