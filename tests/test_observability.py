"""What an operator's Prometheus scrapes from the running stack: the gateway counts requests by the route
template that answered them and by upstream (not by its catch-all), and each service reports its outbox
backlog and its consumers' pending messages and dead letters."""

import httpx
from prometheus_client.parser import text_string_to_metric_families

from .conftest import LiveStack


def samples(url: str) -> list[tuple[str, dict[str, str], float]]:
    text = httpx.get(f"{url}/metrics", timeout=30).text
    return [(s.name, s.labels, s.value) for family in text_string_to_metric_families(text) for s in family.samples]


def test_the_gateway_counts_requests_by_route_template_and_upstream(shared_stack: LiveStack) -> None:
    employer = shared_stack.demo["employer"]
    with shared_stack.client("admin") as admin:
        answer = admin.get(f"/v1/businesses/{employer}")
    assert answer.status_code == 200
    assert "x-fairpath-route" not in answer.headers  # the service's word to the gateway stays there
    found = samples(shared_stack.gateway)
    route = "/v1/businesses/{business_id}"
    by_route = [
        labels
        for name, labels, value in found
        if name == "fairpath_http_requests_total" and labels["route"] == route and value >= 1
    ]
    assert {(labels["service"], labels["method"], labels["status"]) for labels in by_route} >= {
        ("gateway", "GET", "200")
    }
    upstream = [
        labels
        for name, labels, value in found
        if name == "fairpath_gateway_upstream_requests_total" and labels["route"] == route and value >= 1
    ]
    assert {(labels["upstream"], labels["status"]) for labels in upstream} >= {("vetting", "200")}
    assert not [labels for name, labels, _ in found if labels.get("route") == "/v1/{path:path}"]


def test_each_service_reports_its_outbox_and_its_consumers(shared_stack: LiveStack) -> None:
    for service in ("vetting", "contracts", "registry"):
        found = samples(shared_stack.config.url(service))
        names = {name for name, _, _ in found}
        backlog = [value for name, labels, value in found if name == "fairpath_outbox_backlog"]
        assert backlog and all(value >= 0 for value in backlog), service
        assert "fairpath_outbox_oldest_age_seconds" in names, service
        consumers = {labels["consumer"] for name, labels, _ in found if name == "fairpath_consumer_pending"}
        assert consumers and consumers == {
            labels["consumer"] for name, labels, _ in found if name == "fairpath_dead_letters"
        }, service
