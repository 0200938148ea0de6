"""Files of a submission in review: no public URL, offered to moderators and editors only, public on
publication, gone on rejection and erasure (submissions/services/media.py, docs/submissions.md)."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from wagtail.documents import get_document_model
from wagtail.images import get_image_model

from manual.models import CaseStudyPage
from submissions.models import Submission, SubmissionAttachment, SubmissionStatus
from submissions.services import media
from submissions.services import review as review_service
from submissions.services.personal_data.erase import erase
from tests.support.samples import make_image, make_pdf
from tests.support.stored_files import private_files
from tests.support.submissions import post_multipart, valid_payload

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("media_files_cleanup")]

TITLE = "Budget of Pärnu neighbourhoods"
DOCUMENT_TITLE = "parnu-budget-report.pdf"


def _submit(client, capture) -> tuple[Submission, CaseStudyPage]:
    attachments = [(DOCUMENT_TITLE, make_pdf()), ("hero.png", make_image("PNG", (160, 90)))]
    with capture(execute=True):
        response = post_multipart(client, valid_payload(title=TITLE, hero_attachment=1), attachments)
    assert response.status_code == 201, response.content
    submission = Submission.objects.get(pk=response.json()["id"])
    assert submission.status == SubmissionStatus.IN_REVIEW
    return submission, CaseStudyPage.objects.get(pk=submission.page_id)


def _files(submission: Submission):
    image = SubmissionAttachment.objects.get(submission=submission, position=1).image
    document = SubmissionAttachment.objects.get(submission=submission, position=0).document
    return image, document


def _status(client, url: str) -> int:
    response = client.get(url)
    if response.streaming:
        # Reading a file response to its end makes the test client close it (and the file) with
        # close_old_connections disconnected; response.close() here would send request_finished
        # with it connected, which closes PostgreSQL's connection in the test's transaction.
        b"".join(response.streaming_content)
    return response.status_code


def _approve(client, moderator, page, capture) -> None:
    state = page.current_workflow_task_state
    client.force_login(moderator)
    with capture(execute=True):
        response = client.post(reverse("wagtailadmin_pages:workflow_action", args=(page.pk, "approve", state.pk)))
    assert response.status_code == 302
    client.logout()


def _disk(*names: str) -> list[Path]:
    storage = get_image_model()._meta.get_field("file").storage
    return [Path(storage.path(name)) for name in names]


def test_files_in_review_answer_404_to_strangers_and_translators_and_200_to_moderators(
    client, django_capture_on_commit_callbacks, moderator, editor, translator
):
    submission, _page = _submit(client, django_capture_on_commit_callbacks)
    image, document = _files(submission)
    rendition = image.get_rendition("fill-100x100")
    urls = [image.file.url, rendition.url, document.url]

    # No public name and no public place: the files sit outside MEDIA_ROOT, renditions too.
    media_root = Path(settings.MEDIA_ROOT)
    paths = _disk(image.file.name, rendition.file.name, document.file.name)
    assert all(path.is_file() and media_root not in path.parents for path in paths)
    assert all(Path(settings.SUBMISSIONS_UNPUBLISHED_MEDIA_ROOT) in path.parents for path in paths)
    assert not any(url.startswith(settings.MEDIA_URL) for url in urls[:2]), "not served from /media/"
    guesses = [
        f"/media/{image.file.name}",
        f"/media/{rendition.file.name}",
        f"/media/{document.file.name}",
        f"/media/{media.public_name(image.file.name)}",
        f"/media/{media.public_name(document.file.name)}",
    ]

    for url in [*urls, *guesses]:
        assert _status(client, url) == 404, f"anonymous: {url}"
    client.force_login(translator)
    for url in urls:
        assert _status(client, url) == 404, f"translator: {url}"
    for user in (moderator, editor):
        client.force_login(user)
        for url in urls:
            assert _status(client, url) == 200, f"{user.username}: {url}"
    outside = "/unpublished-media/original_images/../../submissions/unreviewed-secret.png"
    assert _status(client, outside) == 404, "nothing outside the unpublished folder"
    response = client.get(image.file.url)
    assert response["Cache-Control"] == "private, no-store" and response["Content-Type"] == "image/png"
    b"".join(response.streaming_content)  # read to the end: the test client closes it (see _status)
    client.logout()


def test_on_publication_the_files_become_public_and_the_private_copies_go(
    client, django_capture_on_commit_callbacks, moderator
):
    submission, page = _submit(client, django_capture_on_commit_callbacks)
    image, document = _files(submission)
    private_paths = _disk(image.file.name, image.get_rendition("fill-100x100").file.name, document.file.name)

    _approve(client, moderator, page, django_capture_on_commit_callbacks)

    image, document = _files(submission)  # fresh objects: an image object reuses the renditions it made
    assert image.collection.name == document.collection.name == "Submissions"
    assert image.file.name.startswith("original_images/submission-")
    assert document.file.name.startswith("documents/submission-")
    assert not any(path.exists() for path in private_paths), "private copies and renditions removed"
    rendition = image.get_rendition("fill-100x100")
    for url in (image.file.url, rendition.url, document.url):
        assert url.startswith(("/media/", "/documents/"))
        assert _status(client, url) == 200, f"anonymous after publication: {url}"
    html = client.get(CaseStudyPage.objects.get(pk=page.pk).url).content.decode()
    assert document.url in html


def test_a_rejection_deletes_the_files_their_renditions_and_urls(client, django_capture_on_commit_callbacks, moderator):
    submission, page = _submit(client, django_capture_on_commit_callbacks)
    image, document = _files(submission)
    rendition = image.get_rendition("fill-100x100")
    urls = [image.file.url, rendition.url, document.url]
    paths = _disk(image.file.name, rendition.file.name, document.file.name)

    with django_capture_on_commit_callbacks(execute=True):
        review_service.reject_submission(submission, "Not an eParticipation initiative.", moderator)

    assert not get_image_model().objects.filter(pk=image.pk).exists()
    assert not get_document_model().objects.filter(pk=document.pk).exists()
    assert not any(path.exists() for path in paths), "files and renditions removed from disk"
    assert CaseStudyPage.objects.get(pk=page.pk).hero_image is None
    assert len(private_files()) == 2, "the originals stay with the submission until it is erased"
    for url in urls:
        assert _status(client, url) == 404
    client.force_login(moderator)
    for url in urls:
        assert _status(client, url) == 404, "gone for everyone"


def test_erasure_deletes_the_files_of_an_unpublished_submission(client, django_capture_on_commit_callbacks):
    submission, _page = _submit(client, django_capture_on_commit_callbacks)
    image, document = _files(submission)
    paths = _disk(image.file.name, image.get_rendition("fill-100x100").file.name, document.file.name)

    with django_capture_on_commit_callbacks(execute=True):
        report = erase("mari@example.org")

    assert report.counts["unpublished images and documents deleted"] == 2
    assert not any(path.exists() for path in paths)
    assert SubmissionAttachment.objects.filter(submission=submission, image__isnull=False).count() == 0
    assert report.counts["files as sent deleted"] == 2
    assert private_files() == [], "the files as the person sent them go with their personal data"


def test_erasure_keeps_the_files_of_a_published_case(client, django_capture_on_commit_callbacks, moderator):
    submission, page = _submit(client, django_capture_on_commit_callbacks)
    _approve(client, moderator, page, django_capture_on_commit_callbacks)
    image, document = _files(submission)
    originals = private_files()
    assert len(originals) == 2

    with django_capture_on_commit_callbacks(execute=True):
        report = erase("mari@example.org")

    assert "files as sent deleted" not in report.counts
    assert private_files() == originals, "the case's licensed material stays"
    assert _status(client, image.file.url) == 200 and _status(client, document.url) == 200


def test_the_choosers_offer_files_in_review_to_moderators_and_editors_only(
    client, django_capture_on_commit_callbacks, moderator, editor, translator
):
    submission, page = _submit(client, django_capture_on_commit_callbacks)
    choosers = {reverse("wagtailimages_chooser:choose"): TITLE, reverse("wagtaildocs_chooser:choose"): DOCUMENT_TITLE}

    def offered(user) -> list[bool]:
        client.force_login(user)
        found = []
        for url, title in choosers.items():
            response = client.get(url)
            assert response.status_code == 200
            found.append(title in response.json()["html"])
        return found

    assert offered(translator) == [False, False]
    assert offered(moderator) == [True, True]
    assert offered(editor) == [True, True]

    client.logout()
    _approve(client, moderator, page, django_capture_on_commit_callbacks)
    assert offered(translator) == [True, True], "published: offered to translators like any file"


def test_files_made_before_the_rule_are_concealed_after_migrate(client, django_capture_on_commit_callbacks):
    submission, _page = _submit(client, django_capture_on_commit_callbacks)
    image, document = _files(submission)
    public = media.public_collection()
    with django_capture_on_commit_callbacks(execute=True):
        for item in (image, document):  # as conversion made them before: public name and collection
            media._move(item, media.public_name(item.file.name), public)
    assert not media.is_unpublished(image) and _status(client, image.file.url) == 200

    with django_capture_on_commit_callbacks(execute=True):
        assert media.conceal_unpublished() == 2
    image.refresh_from_db()
    assert media.is_unpublished(image) and image.collection.name == "Submissions in review"
    assert _status(client, image.file.url) == 404
    assert media.conceal_unpublished() == 0
