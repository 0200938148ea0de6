"""What every app shares, below all of them: the apps import it, it imports none of them.

- ``api_errors``: the one error shape of the API and the domain exceptions services raise
  (``ApiError``, ``InvalidInput``, ``NotFound``) with the bounds of the integers it reads;
- ``openapi``: ``documented`` for a route's parameters, and the document completed per request
  with the codes accepted now (``site_config.api`` calls ``complete``);
- ``formguard`` and ``ratelimit``: the abuse defences of the public forms and the submission
  intake (honeypot, minimum time, single-use start token; the per-client sliding-hour limit).
- ``foreign_keys``, ``unique_values``, ``clusters`` and ``publish_in_hand``: Wagtail's page saves
  without reading again what this process already holds (known related rows, a row's own unique
  values, a new page's children, the page a revision was just saved from); docs/performance.md
  "Imports".
- ``prepared`` and ``sites``: reads whose SQL Django compiles once per process (``PreparedRead``),
  and the site of a served page found with one (``SiteMiddleware``); docs/performance.md
  "Fourth round: prepared reads".

``site_config`` (settings, URLs, the API object, middleware) is the shell above every app; this
package sits under all of them, so an app never imports the shell and no two apps need each other
for these. The layers are checked by import-linter (``.importlinter``, docs/architecture.md
"Layers"). Not a Django app: no models, templates or commands (the rate limit's and the form
guard's cache table is created by ``submissions``, after every migrate).
"""
