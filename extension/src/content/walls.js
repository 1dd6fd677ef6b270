// Rate-limit, challenge and login walls per platform: the governor pauses the capture when one shows.
// URL shapes and page words (English and Portuguese) — one place to update.
(function (root) {
  const SL = (root.SnapLeads = root.SnapLeads || {});
  const WALLS = {
    instagram: {
      challengeUrl: /^\/(challenge|accounts\/suspended|accounts\/disabled)\b/,
      loginUrl: /^\/accounts\/login\b/,
      rateText: [/try again later/i, /tente novamente mais tarde/i, /we restrict certain activity/i, /restringimos determinadas atividades/i, /please wait a few minutes/i, /aguarde alguns minutos/i],
      challengeText: [/confirm it'?s you/i, /confirme que é você/i, /suspicious (login|activity)/i, /atividade suspeita/i],
    },
    facebook: {
      challengeUrl: /^\/checkpoint\b/,
      loginUrl: /^\/login\b/,
      rateText: [/you'?re temporarily blocked/i, /você está temporariamente bloqueado/i, /you can'?t use this feature right now/i, /você não pode usar este recurso no momento/i, /going too fast/i, /rápido demais/i],
      challengeText: [/security check/i, /verificação de segurança/i, /confirm your identity/i, /confirme sua identidade/i],
    },
    linkedin: {
      challengeUrl: /^\/checkpoint\/challenge\b/,
      loginUrl: /^\/(authwall|login|uas\/login)\b/,
      rateText: [/commercial use limit/i, /limite de uso comercial/i, /too many requests/i, /muitas solicitações/i],
      challengeText: [/quick security check/i, /verificação de segurança rápida/i, /let'?s do a quick/i],
    },
  };
  SL.walls = WALLS;

  /** { kind: "challenge"|"login"|"rate_limit", evidence } when the page is a wall, else null. */
  SL.detectWall = function detectWall(doc, url, platform) {
    const rules = WALLS[platform];
    if (!rules) return null;
    const path = new URL(url).pathname;
    if (rules.challengeUrl.test(path)) return { kind: "challenge", evidence: path };
    if (rules.loginUrl.test(path)) return { kind: "login", evidence: path };
    // Only the visible top of the page: a bio mentioning "try again later" must not pause a capture.
    const probe = [...doc.querySelectorAll("h1, h2, h3, [role='alert'], [role='dialog'] span, [role='dialog'] p, main > p, body > p, body > div > p")]
      .map((el) => SL.dom.text(el))
      .filter((t) => t && t.length < 300);
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
