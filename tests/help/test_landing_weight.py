"""The landing page stays light: it has nothing for htmx to enhance, so it loads no htmx."""

import re

SCRIPT = re.compile(r'<script src="([^"]+)"')


def test_the_landing_page_loads_app_js_but_not_htmx(client):
    html = client.get("/").get_data(as_text=True)
    scripts = SCRIPT.findall(html)
    assert len(scripts) == 1 and scripts[0].startswith("/static/app.js?v=")
    assert " hx-get=" not in html and " hx-post=" not in html  # nothing it would enhance


def test_pages_with_htmx_forms_still_load_it(app, client, signed_in):
    pages = [client.get(path) for path in ("/home", "/timeline")]
    pages.append(app.test_client().get("/sign-in"))
    for page in pages:
        assert page.status_code == 200
        scripts = SCRIPT.findall(page.get_data(as_text=True))
        assert any(s.startswith("/static/htmx-2.0.11.min.js?v=") for s in scripts), page
