"""The OpenAPI schema lists the case API; the browsable docs load their assets from our own static files."""

import pytest

TICKET_PATHS = [
    "/api/v1/tickets/",
    "/api/v1/tickets/{number}/",
    "/api/v1/tickets/{number}/replies/",
    "/api/v1/tickets/{number}/confirm/",
    "/api/v1/tickets/{number}/not-fixed/",
    "/api/v1/tickets/{number}/close/",
    "/api/v1/tickets/{number}/escalate/",
    "/api/v1/tickets/{number}/cc/",
    "/api/v1/tickets/{number}/attachments/",
]


@pytest.mark.django_db
def test_the_schema_lists_every_ticket_path(client):
    response = client.get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    paths = response.json()["paths"]
    assert set(TICKET_PATHS) <= set(paths)
    assert set(paths["/api/v1/tickets/"]) == {"get", "post"}
    case = response.json()["components"]["schemas"]["Case"]["properties"]
    assert set(case["best_time_to_contact"].values()) == {"#/components/schemas/ContactWindow"}


@pytest.mark.django_db
def test_the_docs_page_loads_swagger_ui_from_our_static_files_not_a_cdn(client):
    response = client.get("/api/docs/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle" in page
    for cdn in ["cdn.jsdelivr.net", "unpkg.com", "cdnjs.cloudflare.com"]:
        assert cdn not in page
