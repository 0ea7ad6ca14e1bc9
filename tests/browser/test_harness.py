"""The browser the tests drive: what it is started with must hold."""

from tests.browser.conftest import UNUSED_FEATURES, playwright_disabled_features


def test_playwrights_own_disabled_features_are_read():
    features = playwright_disabled_features()
    # Playwright's list keeps routes and navigations on plain HTTP and paints at once.
    assert {"HttpsUpgrades", "PaintHolding"} <= set(features)
    assert not set(UNUSED_FEATURES) & set(features)


def test_no_address_bar_pages_are_opened_beside_a_context(browser):
    context = browser.new_context()
    try:
        context.new_page().goto("data:text/html,<title>t</title>")
        session = browser.new_browser_cdp_session()
        targets = session.send("Target.getTargets")["targetInfos"]
        session.detach()
    finally:
        context.close()
    assert [t["url"] for t in targets if t["type"] == "page"] == ["data:text/html,<title>t</title>"]
    assert [t["url"] for t in targets if t["url"].startswith("chrome://")] == []
