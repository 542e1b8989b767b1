"""Out-of-range query parameters get a clear 400; only web URLs become links."""

from __future__ import annotations

import pytest

from storage import Mention
from tests.earful.web.test_dashboard import request


@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("/?days=999999", "days must be a whole number from 1 to 3660"),
        ("/?days=0", "days must be a whole number from 1 to 3660"),
        ("/?days=soon", "days must be a whole number from 1 to 3660"),
        ("/inbox?offset=99999999999999999999", "offset must be a whole number"),
        ("/inbox?offset=-1", "offset must be a whole number from 0 to 1000000"),
    ],
)
def test_out_of_range_parameters_are_a_400(dashboard, path: str, message: str) -> None:
    response, text = request(dashboard.url, path)
    assert response.status == 400
    assert text.startswith(message)


def test_a_javascript_url_stored_before_is_not_rendered_as_a_link(dashboard) -> None:
    with dashboard.sessions.begin() as session:  # an old row, from before the fix
        [mention] = session.query(Mention).filter_by(id=dashboard.ids["hostile"]).all()
        mention.url = "javascript:alert(document.cookie)"
    for path in ("/search?q=scam", "/inbox"):
        _, html = request(dashboard.url, path)
        assert "scam" in html
        assert "javascript:alert" not in html
