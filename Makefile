# The two commands of the README: `make run` and `make test`. See README.md.
SHELL := /bin/bash
.DEFAULT_GOAL := help

.PHONY: help install install-dev run test test-quick lint format bench topology search-engine

help:
	@echo "make run         install, load the demo manual and serve it on http://127.0.0.1:8000/"
	@echo "make test        provision PostgreSQL and run the whole test suite"
	@echo "make test-quick  run the suite on SQLite only, without the browser tests (inner loop)"
	@echo "make lint        ruff check"
	@echo "make bench       API latency and query-count benchmark on the demo content"
	@echo "make topology    Apache, nginx, two app servers and a worker over PostgreSQL, 2 OpenSearch nodes, S3 and Redis, end to end"
	@echo "make search-engine  the OpenSearch node in the foreground on SEARCH_ENGINE_PORT (default 9200);"
	@echo "                    ENGINE=elasticsearch: the Elasticsearch 7.10 node instead"

install:
	scripts/bootstrap.sh requirements.txt

install-dev:
	scripts/bootstrap.sh requirements-dev.txt

run: install
	scripts/run.sh

test: install-dev
	scripts/test.sh

test-quick: install-dev
	DATABASE_URL= .venv/bin/python -m pytest -q -m "not browser"

lint: install-dev
	.venv/bin/ruff check .
	.venv/bin/ruff format --check .
	.venv/bin/lint-imports

format: install-dev
	.venv/bin/ruff format .
	.venv/bin/ruff check --fix .

bench: install-dev
	.venv/bin/python bench/api_reads.py

# The many-machines journey (docs/operations.md "Topology"); starts its own services on loopback.
topology: install-dev
	scripts/topology.sh

# ENGINE=elasticsearch runs the Elasticsearch 7.10 node instead of OpenSearch (docs/search-engine.md).
ENGINE ?= opensearch
search-engine:
	SEARCH_ENGINE=$(ENGINE) scripts/search-engine.sh
