"""The API's documentation page lists every endpoint of the schema, each with its sentence in French."""


def test_every_endpoint_is_described_in_french(client, db):
    from levier.web.core.api_docs import DESCRIPTIONS, endpoints

    listed = {(e["method"], e["path"]) for _, items in endpoints() for e in items}
    assert listed and listed <= set(DESCRIPTIONS), sorted(listed - set(DESCRIPTIONS))
    page = client.get("/api/docs/").content.decode()
    assert "/api/v1/funding/obligation" in page and "équivalent-subvention brut" in page
    assert "cdn" not in page.lower() and 'lang="fr"' in page
