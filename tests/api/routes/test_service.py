from __future__ import annotations


def test_get_service_info__gtex_shape(client) -> None:  # type: ignore[no-untyped-def]
    info = client.get("/api/v2/").json()
    assert info["version"] == "2.0.0"
    assert set(info["organization"]) == {"name", "url"}
    assert "genotex_tiny_v1" in info["description"]
    assert info["documentationUrl"].endswith("/docs")
