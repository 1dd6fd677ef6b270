"""The extension end to end: options → popup login against the real API → capture on a fake Instagram,
LinkedIn and Facebook page → send → the leads are in the CRM (read back through the API)."""

from __future__ import annotations

import re
import time
from typing import Any

import httpx
import pytest

from tests.extension.conftest import Extension, Proxy, launch
from tests.extension.pages import (
    FACEBOOK_GROUP_PAGE,
    INSTAGRAM_FOLLOWERS_PAGE,
    INSTAGRAM_FOLLOWERS_THEN_WALL_PAGE,
    linkedin_search_page,
    linkedin_search_two_pages,
)
from tests.factories import PASSWORD, Member, add_member, make_lead, register_owner

pytestmark = pytest.mark.e2e

IG_URL = "https://www.instagram.com/acme.store/followers/"
LI_URL = "https://www.linkedin.com/search/results/people/?keywords=gerente"
FB_URL = "https://www.facebook.com/groups/777/members"


def configure(
    ext: Extension, crm_url: str, limits: dict[str, dict[str, int]] | None = None, language: str = ""
) -> None:
    """Options page: the CRM address is validated (http only on loopback); limits only go down."""
    from playwright.sync_api import expect

    page = ext.open("src/options/options.html")
    page.fill("#crm-url", "http://crm.example.com")
    page.click("#save")
    expect(page.locator("#crm-url-error")).to_have_text("Use https:// (http is only allowed for localhost).")
    page.fill("#crm-url", crm_url + "/")
    page.fill("#limit-linkedin-hour", "61")  # above SPEC's 60/hour: refused, nothing saved
    page.click("#save")
    expect(page.locator("#limit-linkedin-hour-error")).to_have_text("Above the safe maximum.")
    assert ext.storage("settings") is None
    page.fill("#limit-linkedin-hour", "60")
    for platform, periods in (limits or {}).items():
        for period, value in periods.items():
            page.fill(f"#limit-{platform}-{period}", str(value))
    page.select_option("#language", language)
    page.click("#save")
    if language == "pt-BR":  # the page reloads in the chosen language
        expect(page.locator("h1")).to_have_text("Configurações do SnapLeads")
    else:
        expect(page.locator("#save-status")).to_have_text("Saved.")
    expect(page.locator("#crm-url")).to_have_value(crm_url)
    page.close()


def open_popup_and_login(ext: Extension, member: Member) -> Any:
    from playwright.sync_api import expect

    popup = ext.open("src/popup/popup.html")
    popup.fill("#login-email", member.email)
    popup.fill("#login-password", PASSWORD)
    popup.click("#login-submit")
    expect(popup.locator("#account-line")).to_contain_text(member.email)
    return popup


def leads_in_crm(api_url: str, member: Member, platform: str) -> list[dict[str, Any]]:
    response = httpx.get(
        f"{api_url}/api/v1/leads",
        params={"platform": platform, "limit": 100},
        headers=member.auth,
        timeout=10,
    )
    response.raise_for_status()
    return response.json()["data"]


def wait_for_job(api_url: str, member: Member, job_id: int) -> dict[str, Any]:
    deadline = time.monotonic() + 20
    while True:
        job = httpx.get(f"{api_url}/api/v1/leads/import/{job_id}", headers=member.auth, timeout=10).json()
        if job["status"] in {"completed", "failed", "cancelled"} or time.monotonic() > deadline:
            return job
        time.sleep(0.2)


def send_and_get_job(popup: Any, api_url: str, member: Member, crm_url: str) -> dict[str, Any]:
    from playwright.sync_api import expect

    popup.click("#send")
    link = popup.locator("#job-link")
    expect(link).to_be_visible(timeout=30_000)
    job_id = int(link.get_attribute("data-job-id") or "0")
    assert link.get_attribute("href") == f"{crm_url}/imports?job={job_id}"
    job = wait_for_job(api_url, member, job_id)
    assert job["status"] == "completed", job
    return job


def test_instagram_followers_virtualised_dialog_to_crm_with_duplicates_skipped(
    extension: Extension, proxy: Proxy, api_url: str
) -> None:
    from playwright.sync_api import expect

    owner = register_owner("ig-capture@example.com", workspace="Acme Store")
    make_lead(owner, platform="instagram", username="follower_07")  # already in the CRM
    configure(extension, proxy.url)
    extension.pages[IG_URL] = INSTAGRAM_FOLLOWERS_PAGE
    social = extension.visit(IG_URL)

    popup = open_popup_and_login(extension, owner)
    expect(popup.locator("#page-type")).to_have_text("Instagram followers / following")
    expect(popup.locator("#page-view")).to_have_attribute("data-state", "recognised")
    expect(popup.locator("#budget-line")).to_have_attribute("data-remaining", "150")
    popup.fill("#tag-new", "seguidores-acme")
    popup.press("#tag-new", "Enter")
    expect(popup.locator("#tag-list input[value='seguidores-acme']")).to_be_checked()

    popup.click("#start")
    social.bring_to_front()  # as for a user: the page is in view while the popup floats over it
    expect(popup.locator("#capture-status")).to_have_attribute("data-reason", "end_of_list", timeout=45_000)
    popup.bring_to_front()
    expect(popup.locator("#count-captured")).to_have_text("39")
    expect(popup.locator("#count-duplicates")).to_have_text("1")
    expect(popup.locator("#count-queued")).to_have_text("39")
    # The dialog never held more than a dozen rows: they were harvested as they appeared.
    assert social.evaluate("window.__maxRows") <= 12
    expect(popup.locator("#budget-line")).to_have_attribute("data-remaining", "110")  # 150 - 40 rows loaded

    job = send_and_get_job(popup, api_url, owner, proxy.url)
    assert (job["total"], job["created"]) == (39, 39)
    expect(popup.locator("#job-status")).to_have_text("Import finished: 39 created · 0 duplicates · 0 errors")
    expect(popup.locator("#count-queued")).to_have_text("0")
    assert extension.storage("queue") == []  # confirmed by the CRM: gone from local storage

    leads = leads_in_crm(api_url, owner, "instagram")
    assert sorted(lead["username"] for lead in leads) == [f"follower_{i:02d}" for i in range(1, 41)]
    captured = next(lead for lead in leads if lead["username"] == "follower_12")
    assert captured["full_name"] == "Follower 12"
    assert captured["source"] == "extension"
    assert captured["profile_url"] == "https://www.instagram.com/follower_12/"
    assert len(captured["tag_ids"]) == 1
    tags = httpx.get(f"{api_url}/api/v1/tags", headers=owner.auth, timeout=10).json()["data"]
    assert [t["name"] for t in tags] == ["seguidores-acme"]


def test_linkedin_search_capture_stops_at_the_lowered_hourly_limit(
    extension: Extension, proxy: Proxy, api_url: str
) -> None:
    from playwright.sync_api import expect

    owner = register_owner("li-capture@example.com", workspace="Matriz SP")
    branch = register_owner(workspace="Filial Rio")
    add_member(branch, "manager", email=owner.email)  # the same person in a second workspace
    configure(extension, proxy.url, limits={"linkedin": {"hour": 4}}, language="pt-BR")
    extension.pages[LI_URL.split("?")[0]] = linkedin_search_page()
    social = extension.visit(LI_URL)

    popup = open_popup_and_login(extension, owner)
    # Signed in to the workspace used last (Filial Rio); the leads are for Matriz SP.
    expect(popup.locator("#account-line")).to_contain_text("Filial Rio")
    popup.select_option("#workspace", label="Matriz SP")
    expect(popup.locator("#account-line")).to_contain_text("Matriz SP")
    expect(popup.locator("#page-type")).to_have_text("Busca de pessoas do LinkedIn")
    expect(popup.locator("#budget-line")).to_have_attribute("data-remaining", "4")
    popup.click("#start")
    social.bring_to_front()
    expect(popup.locator("#capture-status")).to_have_attribute("data-reason", "limit", timeout=30_000)
    popup.bring_to_front()
    expect(popup.locator("#capture-status")).to_have_text(re.compile("^Limite atingido"))
    expect(popup.locator("#budget-line")).to_have_text(re.compile("^0 restantes · 4/4 nesta hora"))
    expect(popup.locator("#count-captured")).to_have_text("4")
    expect(popup.locator("#budget-line")).to_have_attribute("data-remaining", "0")
    expect(popup.locator("#budget-reset")).to_be_visible()
    expect(popup.locator("#start")).to_be_disabled()

    send_and_get_job(popup, api_url, owner, proxy.url)
    leads = leads_in_crm(api_url, owner, "linkedin")
    assert sorted(lead["username"] for lead in leads) == ["pessoa-01", "pessoa-02", "pessoa-03", "pessoa-04"]
    first = next(lead for lead in leads if lead["username"] == "pessoa-01")
    assert (first["full_name"], first["headline"], first["location"]) == (
        "Pessoa 01",
        "Gerente 01 na Empresa 01",
        "São Paulo, Brasil",
    )
    assert leads_in_crm(api_url, branch, "linkedin") == []


def test_linkedin_search_capture_goes_on_to_the_next_page_and_ends_on_the_last(
    extension: Extension, proxy: Proxy, api_url: str
) -> None:
    from playwright.sync_api import expect

    owner = register_owner("li-pages@example.com")
    configure(extension, proxy.url)
    extension.pages[LI_URL.split("?")[0]] = linkedin_search_two_pages()
    social = extension.visit(LI_URL)

    popup = open_popup_and_login(extension, owner)
    expect(popup.locator("#page-type")).to_have_text("LinkedIn people search")
    popup.click("#start")
    social.bring_to_front()
    expect(popup.locator("#capture-status")).to_have_attribute("data-reason", "end_of_list", timeout=30_000)
    assert social.evaluate("window.__nextClicks") == 1  # the last page's Next is disabled: not clicked
    assert social.url.endswith("&page=2")
    popup.bring_to_front()
    expect(popup.locator("#count-captured")).to_have_text("15")

    send_and_get_job(popup, api_url, owner, proxy.url)
    leads = leads_in_crm(api_url, owner, "linkedin")
    assert sorted(lead["username"] for lead in leads) == [f"pessoa-{i:02d}" for i in range(1, 16)]
    second_page = next(lead for lead in leads if lead["username"] == "pessoa-12")
    assert (second_page["full_name"], second_page["headline"], second_page["location"]) == (
        "Pessoa 12",
        "Analista 12 na Empresa 12",
        "Campinas, Brasil",
    )


def test_facebook_group_rows_survive_a_browser_restart_and_sending_retries_through_503(
    extension: Extension, proxy: Proxy, api_url: str
) -> None:
    from playwright.sync_api import expect

    owner = register_owner("fb-capture@example.com")
    configure(extension, proxy.url)
    extension.pages[FB_URL] = FACEBOOK_GROUP_PAGE
    social = extension.visit(FB_URL)
    popup = open_popup_and_login(extension, owner)
    expect(popup.locator("#page-type")).to_have_text("Facebook group members")
    popup.click("#start")
    social.bring_to_front()
    expect(popup.locator("#capture-status")).to_have_attribute("data-reason", "end_of_list", timeout=45_000)
    expect(popup.locator("#count-captured")).to_have_text("15")

    # Close the browser before sending: the captured rows are in chrome.storage.local.
    extension.context.close()
    restarted = launch(extension.profile_dir, {FB_URL: FACEBOOK_GROUP_PAGE})
    extension.context = restarted.context  # the fixture closes this one
    popup = restarted.open("src/popup/popup.html")
    expect(popup.locator("#count-queued")).to_have_text("15")
    expect(popup.locator("#account-line")).to_contain_text(owner.email)

    proxy.fail_imports(2, retry_after="1")
    popup.click("#send")
    expect(popup.locator("#send-status")).to_have_attribute("data-state", "retrying")
    job = send_and_get_job_after_click(popup, api_url, owner, proxy.url)
    assert proxy.import_attempts == [503, 503, 202]
    assert job["created"] == 15
    leads = leads_in_crm(api_url, owner, "facebook")
    assert len(leads) == 15
    member = next(lead for lead in leads if lead["full_name"] == "Membro 03")
    assert member["profile_url"] == "https://www.facebook.com/profile.php?id=100003"
    assert member["company"] == "Loja 03"


def send_and_get_job_after_click(popup: Any, api_url: str, member: Member, crm_url: str) -> dict[str, Any]:
    from playwright.sync_api import expect

    link = popup.locator("#job-link")
    expect(link).to_be_visible(timeout=30_000)
    job = wait_for_job(api_url, member, int(link.get_attribute("data-job-id") or "0"))
    assert job["status"] == "completed", job
    assert link.get_attribute("href") == f"{crm_url}/imports?job={job['id']}"
    return job


def test_a_rate_limit_wall_pauses_the_capture_and_keeps_what_was_captured(
    extension: Extension, proxy: Proxy
) -> None:
    from playwright.sync_api import expect

    configure(extension, proxy.url)
    extension.pages[IG_URL] = INSTAGRAM_FOLLOWERS_THEN_WALL_PAGE
    social = extension.visit(IG_URL)
    popup = extension.open("src/popup/popup.html")  # capturing works signed out; sending needs a login
    expect(popup.locator("#page-view")).to_have_attribute("data-state", "recognised")
    popup.click("#start")
    social.bring_to_front()
    expect(popup.locator("#capture-status")).to_have_attribute("data-reason", "wall", timeout=30_000)
    popup.bring_to_front()
    expect(popup.locator("#budget-paused")).to_have_text(
        re.compile("Paused: The site is limiting your activity")
    )
    expect(popup.locator("#start")).to_be_disabled()
    captured = int(popup.locator("#count-queued").inner_text())
    assert 12 <= captured <= 24  # the rows harvested before the wall are kept
    assert extension.storage("governor")["instagram"]["pause"]["reason"] == "rate_limit"
    expect(popup.locator("#send-status")).to_have_text("Sign in to send.")

    # A rate-limit screen imposes a 30-minute cool-down before the user may resume.
    expect(popup.locator("#resume")).to_be_disabled()
    expect(popup.locator("#resume-at")).to_contain_text("resume possible at")
    governor = extension.storage("governor")
    assert governor["instagram"]["pause"]["resumableAt"] - governor["instagram"]["pause"]["at"] == 30 * 60_000
    governor["instagram"]["pause"]["resumableAt"] = 0  # half an hour later
    extension.set_storage({"governor": governor})
    expect(popup.locator("#resume")).to_be_enabled()
    popup.click("#resume")
    expect(popup.locator("#budget-paused")).to_be_hidden()
    assert extension.storage("governor")["instagram"]["pause"] is None


def conversation_messages(api_url: str, member: Member, platform: str) -> list[tuple[str, str, str]]:
    """The single conversation of `platform` in the CRM inbox → (lead username, direction, body) rows."""
    listed = httpx.get(
        f"{api_url}/api/v1/conversations",
        params={"platform": platform, "status": "open"},
        headers=member.auth,
        timeout=10,
    )
    listed.raise_for_status()
    conversations = listed.json()["data"]
    assert len(conversations) == 1, conversations
    conversation = conversations[0]
    lead = httpx.get(
        f"{api_url}/api/v1/leads/{conversation['lead_id']}", headers=member.auth, timeout=10
    ).json()
    messages = httpx.get(
        f"{api_url}/api/v1/conversations/{conversation['id']}/messages",
        params={"limit": 100},
        headers=member.auth,
        timeout=10,
    ).json()["data"]
    return [(lead["username"], m["direction"], m["body"]) for m in messages]


def test_open_dm_threads_go_to_the_crm_inbox_once(extension: Extension, proxy: Proxy, api_url: str) -> None:
    """LinkedIn messaging and Instagram direct: the popup posts the open thread to
    POST /api/v1/conversations/inbound; the messages are in the CRM inbox (read back through the API),
    and sending the same thread again records nothing twice."""
    from playwright.sync_api import expect

    from tests.extension.conftest import EXTENSION_DIR

    paths = httpx.get(f"{api_url}/api/v1/openapi.json", timeout=10).json()["paths"]
    assert "post" in paths["/api/v1/conversations/inbound"]  # the extension's feature check reads this
    owner = register_owner("dm-capture@example.com")
    configure(extension, proxy.url)
    fixtures = EXTENSION_DIR / "test" / "fixtures"
    li_thread = "https://www.linkedin.com/messaging/thread/2-ZmE0YjQ=/"
    ig_thread = "https://www.instagram.com/direct/t/340282366841710300949128/"
    extension.pages[li_thread] = (fixtures / "li_messaging.html").read_text()
    extension.pages[ig_thread] = (fixtures / "ig_direct.html").read_text()

    extension.visit(li_thread)
    popup = open_popup_and_login(extension, owner)
    expect(popup.locator("#page-type")).to_have_text("LinkedIn conversation")
    expect(popup.locator("#dm-view")).to_be_visible()
    expect(popup.locator("#start")).to_be_hidden()  # a thread is not a list to capture
    popup.click("#dm-send")
    expect(popup.locator("#dm-status")).to_have_text("3 messages sent to the inbox.")
    assert conversation_messages(api_url, owner, "linkedin") == [
        ("ana-souza-123", "inbound", "Hi! Saw your post about the CRM."),
        ("ana-souza-123", "inbound", "Can we talk on Monday?"),
        ("ana-souza-123", "outbound", "Sure, 10am works."),
    ]
    popup.click("#dm-send")  # the same thread again: each message is kept once (external ids)
    expect(popup.locator("#dm-status")).to_have_text("3 messages sent to the inbox (3 were already there).")
    assert len(conversation_messages(api_url, owner, "linkedin")) == 3
    popup.close()

    extension.visit(ig_thread)
    popup = extension.open("src/popup/popup.html")
    expect(popup.locator("#page-type")).to_have_text("Instagram direct conversation")
    popup.click("#dm-send")
    expect(popup.locator("#dm-status")).to_have_text("3 messages sent to the inbox.")
    assert conversation_messages(api_url, owner, "instagram") == [
        ("ana.souza", "inbound", "Oi! Vocês entregam em Campinas?"),
        ("ana.souza", "outbound", "Entregamos sim, a taxa é R$ 15."),
        ("ana.souza", "inbound", "Perfeito, quero encomendar."),
    ]


def test_pages_the_parsers_cannot_read_say_so_and_cannot_be_captured(extension: Extension) -> None:
    """A search page whose rows the selectors no longer find, and a page no parser knows: a clear state
    in the popup, Start disabled — never a capture that scrolls and ends with nothing."""
    from playwright.sync_api import expect

    extension.pages[LI_URL.split("?")[0]] = (
        "<!doctype html><html><body><main><h2>About 10 results</h2><ul role='list'>"
        "<li><div data-x='new-layout'><a href='/search/results/people/?p=1'>Ana Souza</a></div></li>"
        "</ul></main></body></html>"
    )
    extension.pages["https://www.instagram.com/explore/"] = (
        "<!doctype html><html><body><div role='main'><a href='/p/AAA/'>post</a></div></body></html>"
    )
    extension.visit(LI_URL)
    popup = extension.open("src/popup/popup.html")
    expect(popup.locator("#page-view")).to_have_attribute("data-state", "no_rows")
    expect(popup.locator("#page-type")).to_have_text("LinkedIn people search")
    expect(popup.locator("#page-status")).to_contain_text("No people found in this list yet")
    expect(popup.locator("#start")).to_be_disabled()
    popup.close()

    extension.visit("https://www.instagram.com/explore/")
    popup = extension.open("src/popup/popup.html")
    expect(popup.locator("#page-view")).to_have_attribute("data-state", "not_recognised")
    expect(popup.locator("#page-status")).to_have_text(
        "Page not recognised: SnapLeads cannot read this page's layout."
    )
    expect(popup.locator("#start")).to_be_disabled()
