"""Which engine answers, through which adapter, and how its indexes are laid out over a cluster.

`make test` runs the engine tests once on OpenSearch 2.19 and again on Elasticsearch 7.10
(scripts/test.sh); these pin that each run really talks to its engine through its own adapter.
"""

import uuid

import pytest
from django.conf import settings
from django.test import override_settings

from search import services
from search.drivers.client import detect_engine, make_client
from search.drivers.elasticsearch_client import ElasticsearchClient
from search.drivers.lifecycle import Layout
from search.drivers.opensearch_client import OpenSearchClient
from tests.support.search import engine_url


@pytest.fixture
def own_prefix():
    """The run's engine with a private index prefix; its indexes are dropped afterwards."""
    url = engine_url()
    prefix = f"{settings.SEARCH_INDEX_PREFIX}-layout-{uuid.uuid4().hex[:8]}"
    services.EngineHealth.reset()
    yield url, prefix
    make_client(url, "auto", 30).delete_index(f"{prefix}*")


@pytest.mark.engine
def test_the_engine_is_detected_and_answers_through_its_own_adapter():
    url = engine_url()
    client = make_client(url, "auto", 5.0)
    version = client.info()["version"]
    if version.get("distribution") == "opensearch":
        assert isinstance(client, OpenSearchClient) and version["number"].startswith("2.")
        assert detect_engine(url, 5.0) == "opensearch"
    else:
        assert isinstance(client, ElasticsearchClient) and version["number"].startswith("7.")
        assert detect_engine(url, 5.0) == "elasticsearch"
    # scripts/with-search-engine.sh names the engine it started; the service's client is that one's.
    if settings.SEARCH_ENGINE != "auto":
        assert detect_engine(url, 5.0) == settings.SEARCH_ENGINE
        with override_settings(SEARCH_URL=url):
            assert services.engine_ping()["distribution"] == settings.SEARCH_ENGINE


def _index_settings(driver, locale: str) -> dict:
    name = driver.client.alias_targets(driver.alias(locale))[0]
    return driver.client.client.indices.get_settings(index=name)[name]["settings"]["index"]


@pytest.mark.engine
def test_a_lone_node_gets_no_replicas_unless_they_are_set(own_prefix, db):
    url, prefix = own_prefix
    with override_settings(SEARCH_URL=url, SEARCH_INDEX_PREFIX=prefix):
        driver = services.engine_driver()
        assert driver.client.data_nodes() == 1
        driver.ensure_index("en")
        index = _index_settings(driver, "en")
        assert (index["number_of_shards"], index["number_of_replicas"]) == ("1", "0")
    with override_settings(SEARCH_URL=url, SEARCH_INDEX_PREFIX=prefix, SEARCH_INDEX_SHARDS=2, SEARCH_INDEX_REPLICAS=1):
        driver = services.engine_driver()
        assert driver.rebuild("ru", [{"id": 1, "locale": "ru", "title": "Бюджет"}]) == 1
        index = _index_settings(driver, "ru")
        assert (index["number_of_shards"], index["number_of_replicas"]) == ("2", "1")
        assert driver.count("ru") == 1


class Cluster:
    """An engine client that only knows how many data nodes its cluster has."""

    def __init__(self, data_nodes: int) -> None:
        self.nodes = data_nodes
        self.asked = 0

    def data_nodes(self) -> int:
        self.asked += 1
        return self.nodes


@pytest.mark.parametrize(("data_nodes", "replicas"), [(1, 0), (2, 1), (5, 1)])
def test_unset_replicas_follow_the_cluster(data_nodes, replicas):
    body = Layout(shards=3).index_body(Cluster(data_nodes), "en")
    assert (body["settings"]["number_of_shards"], body["settings"]["number_of_replicas"]) == (3, replicas)


def test_set_replicas_are_kept_without_asking_the_cluster():
    cluster = Cluster(5)
    assert Layout(replicas=0).index_body(cluster, "en")["settings"]["number_of_replicas"] == 0
    assert Layout(replicas=2).index_body(cluster, "ru")["settings"]["number_of_replicas"] == 2
    assert cluster.asked == 0
