"""What wagtail-localize's translation editor and its "Convert to alias page" offer to whom.

"Convert to alias page" replaces a translated page at once by a live copy of its source: the page
goes public without review. wagtail-localize allows it to anyone who may edit the page, and for
translators it is even the main button of the translation editor. Here it needs the right to
publish the page (editors, moderators): whoever may not is refused the action, does not see it,
and is offered "Submit for review" (the manual's review page) instead. See docs/roles.md.
"""

from __future__ import annotations

import json

from django.core.serializers.json import DjangoJSONEncoder
from wagtail.models import Page


def may_convert_to_alias(user, page: Page) -> bool:
    return page.permissions_for_user(user).can_publish()


def props_without_convert_to_alias(props: str) -> str:
    """wagtail-localize's editor props (the React app's JSON) without the "Convert to alias page" link.

    The app shows the button when ``links.convertToAliasUrl`` is set.
    """
    data = json.loads(props)
    data["links"]["convertToAliasUrl"] = None
    return json.dumps(data, cls=DjangoJSONEncoder)
