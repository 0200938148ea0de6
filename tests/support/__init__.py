"""What the tests share: plain helpers, imported by name. Fixtures live in tests/conftest.py.

- ``submissions``: a valid submission document and the requests that send it.
- ``samples``: sample files made on the fly (documents, images, hostile archives).
- ``stored_files``: the files a test left in storage (rows roll back after each test, files do not).
- ``search``: the search engine of the test run.
- ``factories``: page builders (factory_boy) that put pages where the admin would.
- ``browser``: screenshots, axe-core and addresses of demo pages for tests/browser.
"""
