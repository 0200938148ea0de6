"""Former read model of the API, split into ``read_model`` (reading) and ``api_shapes`` (JSON).

Kept only because ``manual.services.taxonomies.translation_status`` imports ``target_locales``
from here; it lives in ``manual.services.locale_lookup``. Delete this module once that import
points there.
"""

from manual.services.locale_lookup import target_locales

__all__ = ["target_locales"]
