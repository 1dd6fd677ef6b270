// LinkedIn people search results (https://www.linkedin.com/search/results/people/?keywords=...).
(function (root) {
  const SL = (root.SnapLeads = root.SnapLeads || {});

  SL.registerParser({
    platform: "linkedin",
    pageType: "people_search",
    kind: "list",
    match(url, doc) {
      const S = SL.selectors.linkedin;
      return S.urls.peopleSearch.test(new URL(url).pathname) && !!SL.dom.first(doc, S.main);
    },
    parse(doc, url) {
      return SL.linkedinRows(SL.dom.first(doc, SL.selectors.linkedin.main), url);
    },
    listContainer() {
      return null;
    },
    /** The enabled "Next" button of the results' pagination, or null (the last page, or none). */
    nextPage(doc) {
      const button = SL.dom.first(doc, SL.selectors.linkedin.nextPage);
      if (!button || button.disabled || button.hasAttribute("disabled")) return null;
      return button.getAttribute("aria-disabled") === "true" ? null : button;
    },
  });
})(globalThis);
