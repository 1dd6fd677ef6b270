// Instagram followers/following dialog (/<username>/followers/ or /following/). The list is virtualised:
// only a dozen rows exist at once, so capture.js harvests this parser's output as rows appear.
(function (root) {
  const SL = (root.SnapLeads = root.SnapLeads || {});

  function listDialog(doc) {
    const S = SL.selectors.instagram;
    const words = [...S.words.followers, ...S.words.following];
    return SL.dom.all(doc, S.dialog).find((d) => {
      const heading = SL.dom.firstText(d, S.dialogHeading).toLowerCase();
      return words.includes(heading);
    });
  }

  SL.registerParser({
    platform: "instagram",
    pageType: "follow_list",
    kind: "list",
    match(url, doc) {
      return !!listDialog(doc);
    },
    parse(doc, url) {
      const dialog = listDialog(doc);
      return SL.instagramRows(dialog, url).map((row) => ({ ...row, source_url: url }));
    },
    listContainer(doc) {
      const dialog = listDialog(doc);
      return SL.dom.first(dialog, SL.selectors.instagram.rowScroller) || dialog;
    },
  });
})(globalThis);
