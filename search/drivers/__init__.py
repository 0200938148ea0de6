"""Search drivers behind one interface: the engine (OpenSearch / Elasticsearch) and the database."""
