"""What the tests share: plain helpers, imported by name. Fixtures live in tests/conftest.py.

A test module imports from here, never from another test module.

- ``submissions``: a valid submission (the API's document, the HTML form's fields) and the requests.
- ``samples``: sample files made on the fly (documents, images, Word files, hostile archives).
- ``stored_files``: the files a test left in storage (rows roll back after each test, files do not).
- ``forms``: the start token of the public forms' guard.
- ``mail``: the e-mails a test sent and the edit link in them.
- ``translations``: a translator's PO file, review and the admin's translation paths.
- ``factories``: page and term builders (factory_boy) that put pages where the admin would.
- ``search``: the search engine of the test run.
- ``commands``: manage.py in a child process.
- ``browser``: screenshots, axe-core and addresses of demo pages for tests/browser.
"""
