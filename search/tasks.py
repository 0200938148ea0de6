from django_tasks import task


@task()
def process_outbox_task() -> int:
    """Apply queued index updates; see search.services.process_outbox."""
    from search.services import process_outbox

    return process_outbox().processed
