async def test_health(client):
    response = await client.get("/health")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


async def test_register_and_me(garden):
    jo = await garden.member("jo", "Jo")
    response = await jo.get("/api/me")
    assert response.status_code == 200, response.text
    assert response.json()["display_name"] == "Jo"
