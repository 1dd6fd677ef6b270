"""Fake social pages for the extension e2e tests, shaped like the real ones (see extension/test/fixtures),
with the dynamic behaviour the parsers must survive: a virtualised Instagram dialog, a Facebook list that
loads more members as you scroll."""

from __future__ import annotations

import json

IG_FOLLOWERS = [(f"follower_{i:02d}", f"Follower {i:02d}") for i in range(1, 41)]

# Instagram's followers dialog: 40 followers, 12 loaded at first and 12 more each time the list nears its
# end; only the rows in view (+2) exist in the DOM — earlier rows are removed as the user scrolls.
INSTAGRAM_FOLLOWERS_PAGE = """<!doctype html><html lang="en"><head><title>acme.store • Instagram</title>
<style>.row{height:60px;display:flex;align-items:center;gap:8px}</style></head><body>
<main role="main"><header><section><h2><span>acme.store</span></h2>
<ul><li><a href="/acme.store/followers/">40 followers</a></li></ul></section></header></main>
<div role="dialog" aria-label="Followers"><div><h1 dir="auto">Followers</h1></div>
<div id="scroller" data-scroll="1" style="height:420px;overflow-y:auto"><div id="spacer" style="position:relative"></div></div></div>
<script>
const people = __PEOPLE__;
const ROW = 60, VISIBLE = 9;
let loaded = 12, loading = false;
window.__maxRows = 0;
const scroller = document.getElementById("scroller"), spacer = document.getElementById("spacer");
function render() {
  spacer.style.height = (loaded * ROW) + "px";
  const first = Math.max(0, Math.floor(scroller.scrollTop / ROW) - 1);
  const last = Math.min(loaded, first + VISIBLE + 2);
  spacer.replaceChildren();
  for (let i = first; i < last; i++) {
    const [u, n] = people[i];
    const row = document.createElement("div");
    row.className = "row"; row.style.position = "absolute"; row.style.top = (i * ROW) + "px";
    row.innerHTML = `<a href="/${u}/" tabindex="-1"><img alt="${u}'s profile picture" src="https://scontent.cdninstagram.com/${u}.jpg"></a>` +
      `<div><div><a href="/${u}/"><span dir="auto">${u}</span></a></div><span dir="auto">${n}</span></div>` +
      `<div><button type="button"><div>Remove</div></button></div>`;
    spacer.appendChild(row);
  }
  window.__maxRows = Math.max(window.__maxRows, spacer.children.length);
}
scroller.addEventListener("scroll", () => {
  render();
  const nearEnd = scroller.scrollTop + scroller.clientHeight >= loaded * ROW - ROW * 2;
  if (nearEnd && !loading && loaded < people.length) {
    loading = true;
    setTimeout(() => { loaded = Math.min(people.length, loaded + 12); loading = false; render(); }, 80);
  }
});
render();
</script></body></html>""".replace("__PEOPLE__", json.dumps(IG_FOLLOWERS))


LI_PEOPLE = [
    (f"pessoa-{i:02d}", f"Pessoa {i:02d}", f"Gerente {i:02d} na Empresa {i:02d}", "São Paulo, Brasil")
    for i in range(1, 11)
]


def linkedin_search_page() -> str:
    rows = "\n".join(
        f"""<li style="min-height:120px"><div><a href="https://www.linkedin.com/in/{s}?miniProfileUrn=x" aria-hidden="true">
<img alt="{n}" src="https://media.licdn.com/{s}.jpg"></a><div><span><a href="https://www.linkedin.com/in/{s}?miniProfileUrn=x">
<span dir="ltr"><span aria-hidden="true">{n}</span><span class="visually-hidden">View {n}’s profile</span></span></a>
<span><span aria-hidden="true">• 2nd</span></span></span><div>{h}</div><div>{loc}</div></div>
<button><span>Connect</span></button></div></li>"""
        for s, n, h, loc in LI_PEOPLE
    )
    return f"""<!doctype html><html><body><header><a href="/feed/">Home</a></header><main>
<div><h2>About 10 results</h2><ul role="list">{rows}</ul></div></main></body></html>"""


LI_PEOPLE_PAGE_2 = [
    (f"pessoa-{i:02d}", f"Pessoa {i:02d}", f"Analista {i:02d} na Empresa {i:02d}", "Campinas, Brasil")
    for i in range(11, 16)
]


def linkedin_search_two_pages() -> str:
    """Page 1 (10 people) with LinkedIn's pagination; "Next" swaps in page 2 (5 people) without a reload,
    as the real single-page app does, and the last page's "Next" is disabled."""
    page = linkedin_search_page().replace(
        "</ul></div></main>",
        """</ul></div><div class="artdeco-pagination"><button aria-label="Previous" class="artdeco-pagination__button
artdeco-pagination__button--previous" disabled type="button"><span>Previous</span></button><button id="next" aria-label="Next"
class="artdeco-pagination__button artdeco-pagination__button--next" type="button"><span>Next</span></button></div></main>
<script>
const second = __SECOND__;
window.__nextClicks = 0;
document.getElementById("next").addEventListener("click", () => {
  window.__nextClicks += 1;
  const list = document.querySelector("main ul[role='list']");
  const template = list.children[0].outerHTML;
  list.innerHTML = second.map(([s, n, h, loc]) => template
    .replaceAll("pessoa-01", s).replaceAll("Pessoa 01", n)
    .replaceAll("Gerente 01 na Empresa 01", h).replaceAll("São Paulo, Brasil", loc)).join("");
  history.pushState({}, "", location.pathname + location.search + "&page=2");
  document.getElementById("next").disabled = true;
});
</script>""",
    )
    return page.replace("__SECOND__", json.dumps(LI_PEOPLE_PAGE_2, ensure_ascii=False))


FB_MEMBERS = [(f"1000{i:02d}", f"Membro {i:02d}", f"Trabalha na Loja {i:02d}") for i in range(1, 16)]

# Facebook's members list: 5 rows at first, 5 more each time the window nears the bottom.
FACEBOOK_GROUP_PAGE = """<!doctype html><html><body><div role="banner"><a href="/">Facebook</a></div>
<div role="main"><h2>Membros · 15</h2><div role="list" id="list"></div><div id="loading" style="height:300px"></div></div>
<script>
const members = __MEMBERS__;
let shown = 0, loading = false;
function more() {
  const list = document.getElementById("list");
  for (const [id, name, work] of members.slice(shown, shown + 5)) {
    const row = document.createElement("div");
    row.setAttribute("role", "listitem"); row.style.minHeight = "160px";
    row.innerHTML = `<a aria-hidden="true" href="/groups/777/user/${id}/"><svg aria-label="${name}"><image xlink:href="https://scontent.xx.fbcdn.net/${id}.jpg"></image></svg></a>` +
      `<div><span><a href="/groups/777/user/${id}/">${name}</a></span><div><span>${work}</span></div><div><span>Entrou há 2 anos</span></div></div>` +
      `<div aria-label="Adicionar amigo" role="button"><span>Adicionar amigo</span></div>`;
    list.appendChild(row);
  }
  shown = Math.min(members.length, shown + 5);
}
window.addEventListener("scroll", () => {
  if (loading || shown >= members.length) return;
  if (window.scrollY + window.innerHeight >= document.body.scrollHeight - 400) {
    loading = true;
    setTimeout(() => { more(); loading = false; }, 80);
  }
});
more();
</script></body></html>""".replace("__MEMBERS__", json.dumps(FB_MEMBERS))


# The same dialog, but once 24 followers are loaded Instagram answers with its "Try Again Later" wall.
INSTAGRAM_FOLLOWERS_THEN_WALL_PAGE = INSTAGRAM_FOLLOWERS_PAGE.replace(
    "loaded = Math.min(people.length, loaded + 12); loading = false; render();",
    "loaded = Math.min(people.length, loaded + 12); loading = false; render();"
    " if (loaded >= 24 && !document.getElementById('wall')) document.body.insertAdjacentHTML('beforeend',"
    ' \'<div id="wall" role="dialog"><h3>Try Again Later</h3><p>We restrict certain activity to protect'
    " our community.</p><button>OK</button></div>');",
)
