"""The browser the tests drive: what it is started with must hold."""

from types import SimpleNamespace

from tests.browser.conftest import UNUSED_FEATURES, page_by_page, playwright_disabled_features


def test_playwrights_own_disabled_features_are_read():
    features = playwright_disabled_features()
    # Playwright's list keeps routes and navigations on plain HTTP and paints at once.
    assert {"HttpsUpgrades", "PaintHolding"} <= set(features)
    assert not set(UNUSED_FEATURES) & set(features)


def page_targets(browser):
    session = browser.new_browser_cdp_session()
    try:
        return session.send("Target.getTargets")["targetInfos"]
    finally:
        session.detach()


def test_no_address_bar_pages_are_opened_beside_a_context(browser):
    # Only the pages this context opens: a test that failed before closing its own context
    # leaves its page in the same browser.
    before = {t["targetId"] for t in page_targets(browser)}
    context = browser.new_context()
    try:
        context.new_page().goto("data:text/html,<title>t</title>")
        every = page_targets(browser)
    finally:
        context.close()
    new = [t["url"] for t in every if t["targetId"] not in before and t["type"] == "page"]
    assert new == ["data:text/html,<title>t</title>"]
    assert [t["url"] for t in every if t["url"].startswith("chrome://")] == []


def _item(module, check, spec, theme=None):
    params = {"spec": spec} | ({"theme": theme} if theme else {})
    return SimpleNamespace(module=module, originalname=check, name=f"{check}[{spec}-{theme}]",
                           callspec=SimpleNamespace(params=params))


def test_a_module_s_checks_run_page_by_page_and_other_tests_keep_their_places():
    pages = SimpleNamespace(CHECKS_IN_TURN=("axe", "fits"))
    other = SimpleNamespace()
    items = [_item(other, "alone", "x"),
             _item(pages, "axe", "home", "light"), _item(pages, "axe", "home", "dark"),
             _item(pages, "axe", "help", "light"), _item(pages, "axe", "help", "dark"),
             _item(pages, "fits", "home"), _item(pages, "fits", "help"),
             _item(pages, "keyboard", "home"), _item(other, "axe", "y")]
    assert [i.name for i in page_by_page(items)] == [
        "alone[x-None]",
        "axe[home-light]", "axe[home-dark]", "fits[home-None]",
        "axe[help-light]", "axe[help-dark]", "fits[help-None]",
        "keyboard[home-None]", "axe[y-None]"]
