// Rate-limit, challenge and login walls: the governor pauses the capture when one shows. Each platform's
// URL shapes and page words (English and Portuguese) live in its selectors module (`walls`); this file
// holds only the detection, the same for every platform.
(function (root) {
  const SL = (root.SnapLeads = root.SnapLeads || {});
  // Only the visible top of the page: a bio mentioning "try again later" must not pause a capture.
  const PROBE = "h1, h2, h3, [role='alert'], [role='dialog'] span, [role='dialog'] p, main > p, body > p, body > div > p";

  /** { kind: "challenge"|"login"|"rate_limit", evidence } when the page is a wall, else null. */
  SL.detectWall = function detectWall(doc, url, platform) {
    const rules = SL.selectors && SL.selectors[platform] ? SL.selectors[platform].walls : null;
    if (!rules) return null;
    const path = new URL(url).pathname;
    if (rules.challengeUrl.test(path)) return { kind: "challenge", evidence: path };
    if (rules.loginUrl.test(path)) return { kind: "login", evidence: path };
    const probe = [...doc.querySelectorAll(PROBE)].map((el) => SL.dom.text(el)).filter((t) => t && t.length < 300);
    for (const text of probe) {
      if (rules.rateText.some((re) => re.test(text))) return { kind: "rate_limit", evidence: text };
      if (rules.challengeText.some((re) => re.test(text))) return { kind: "challenge", evidence: text };
    }
    const password = doc.querySelector("input[type='password']");
    if (password && !doc.querySelector("[role='main'], main")) return { kind: "login", evidence: "password form" };
    if (password && password.closest("[role='dialog']")) return { kind: "login", evidence: "login dialog" };
    return null;
  };
})(globalThis);
