"""The many-machines topology, end to end (prints figures; not a test; docs/operations.md "Topology").

    scripts/topology.sh          # = the four with-*.sh wrappers around this script

Needs, from the wrappers: DATABASE_URL (PostgreSQL), SEARCH_URL (OpenSearch), OBJECT_STORAGE_URL and
its keys and buckets (S3Proxy), REDIS_URL (redis-server). Then, on loopback:

1. migrates and loads the demo manual once, makes a moderator account;
2. starts two app servers A and B (gunicorn, TASKS_BACKEND=database), each with its own VAR_DIR in
   a temporary folder (no shared disk), the same services and SECRET_KEY, on their own ports; one
   ``manage.py db_worker`` with a VAR_DIR of its own; nginx (/usr/sbin/nginx, no root) balancing A
   and B round-robin, with a configuration written here;
3. the journey: a practitioner submits a case with an image through A (the intake API); the worker
   converts it; a moderator signs in to B's admin (session and CSRF) and approves the review task;
   the page and its image are served by A, B and nginx; a translator relabels a topic through A's
   environment and B's page shows the new label; search on A and B finds the case; a second
   submission rejected through B's admin is purged by ``purge_submissions`` run with B's
   environment, a third is erased by ``submissions_personal_data erase`` run with B's environment,
   and their objects are gone from both buckets (listed with boto3).

The translator's change and the few look-ups of ids (the submission's status, the workflow task to
approve) run ``manage.py shell`` with the environment of A or B: the same process a server's own
code would run, without a browser. Figures: requests served by A and B (their gunicorn access
logs), errors (5xx in those logs plus answers this script did not expect: must be 0), seconds from
the approval on B to the page answering 200 on A, and each step's pass or fail. Exits 1 if a step
fails.
"""

from __future__ import annotations

import io
import json
import os
import re
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

import boto3
import requests
from botocore.config import Config
from PIL import Image

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.stdout.reconfigure(line_buffering=True)  # type: ignore[union-attr]  # progress shows as it happens

from bench.loadgen import free_port  # noqa: E402

NEEDED = ("DATABASE_URL", "SEARCH_URL", "OBJECT_STORAGE_URL", "REDIS_URL")
TEMP = Path(tempfile.mkdtemp(prefix="manual-topology-"))
MODERATOR, PASSWORD = "topology-moderator", secrets.token_urlsafe(16)
TITLE = f"Kestrel budget of Topology town {secrets.token_hex(3)}"
NGINX = "/usr/sbin/nginx"
TOPIC = "budget"


class Journey:
    def __init__(self) -> None:
        self.steps: list[tuple[str, bool, str]] = []
        self.unexpected = 0
        self.publish_to_a: float | None = None
        self.image_public: float | None = None

    def step(self, name: str, passed: bool, detail: str = "") -> bool:
        self.steps.append((name, passed, detail))
        print(f"{'PASS' if passed else 'FAIL'}  {name}{f'  ({detail})' if detail else ''}")
        return passed

    def expect(self, response: requests.Response, *statuses: int) -> requests.Response:
        if response.status_code not in statuses:
            self.unexpected += 1
            print(f"  unexpected {response.status_code} for {response.request.method} {response.url}")
            print(f"    {response.text[:500]}")
        return response


def environment(name: str, **extra: str) -> dict[str, str]:
    """One machine's environment: the shared services, its own VAR_DIR."""
    var_dir = TEMP / name
    var_dir.mkdir(exist_ok=True)
    env = {key: value for key, value in os.environ.items() if not key.startswith("DJANGO_")}
    env.update(
        DJANGO_SETTINGS_MODULE="site_config.settings",
        VAR_DIR=str(var_dir),
        SECRET_KEY=SECRET_KEY,
        SECURE_HTTPS="0",
        TASKS_BACKEND="database",
        SUBMISSIONS_RATE_LIMIT="0",
        SEARCH_INDEX_PREFIX=f"topology{os.getpid()}",
        LOG_LEVEL="WARNING",
    )
    env.update(extra)
    return env


SECRET_KEY = secrets.token_urlsafe(50)


def manage(env: dict[str, str], *arguments: str) -> str:
    done = subprocess.run(  # noqa: S603 - our own interpreter and manage.py
        [sys.executable, "manage.py", *arguments], cwd=ROOT, env=env, capture_output=True, text=True, check=False
    )
    if done.returncode:
        sys.exit(f"manage.py {' '.join(arguments)} failed:\n{done.stdout}\n{done.stderr}")
    return done.stdout


def shell(env: dict[str, str], code: str) -> Any:
    """Run ``code`` in ``manage.py shell`` with ``env``; it sets ``result``, returned through JSON."""
    program = f"import json\n{code}\nprint('RESULT=' + json.dumps(result))"
    output = manage(env, "shell", "-c", program)
    return json.loads(output.rsplit("RESULT=", 1)[1])


def wait_for(what: str, check: Callable[[], Any], limit: float = 120, every: float = 0.5) -> Any:
    started = time.perf_counter()
    while time.perf_counter() - started < limit:
        value = check()
        if value:
            return value
        time.sleep(every)
    return None


def start_gunicorn(name: str, port: int) -> subprocess.Popen[bytes]:
    env = environment(name, HOST="127.0.0.1", PORT=str(port), GUNICORN_WORKERS="2", GUNICORN_THREADS="2")
    env["GUNICORN_ACCESS_LOG"] = str(TEMP / name / "access.log")
    log = (TEMP / name / "gunicorn.log").open("ab")
    command = [str(Path(sys.executable).parent / "gunicorn"), "-c", "site_config/gunicorn.conf.py"]
    return subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)  # noqa: S603


def start_worker() -> subprocess.Popen[bytes]:
    env = environment("worker")
    log = (TEMP / "worker" / "worker.log").open("ab")
    command = [sys.executable, "manage.py", "db_worker"]
    return subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)  # noqa: S603


def start_nginx(port: int, upstreams: list[int]) -> subprocess.Popen[bytes]:
    prefix = TEMP / "nginx"
    prefix.mkdir(exist_ok=True)
    servers = "".join(f"        server 127.0.0.1:{upstream};\n" for upstream in upstreams)
    temp_paths = "".join(
        f"    {kind}_temp_path {prefix}/{kind};\n" for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    (prefix / "nginx.conf").write_text(
        f"""daemon off;
worker_processes 1;
pid {prefix}/nginx.pid;
error_log {prefix}/error.log warn;
events {{ worker_connections 256; }}
http {{
    access_log {prefix}/access.log;
{temp_paths}    upstream app {{
{servers}    }}
    server {{
        listen 127.0.0.1:{port};
        client_max_body_size 60m;
        location / {{
            proxy_pass http://app;
            proxy_set_header Host $http_host;
            proxy_set_header X-Forwarded-For $remote_addr;
            add_header X-Upstream $upstream_addr always;
        }}
    }}
}}
"""
    )
    command = [NGINX, "-e", "stderr", "-p", str(prefix), "-c", str(prefix / "nginx.conf")]
    subprocess.run([*command, "-t", "-q"], check=True)  # noqa: S603 - Debian's nginx, our configuration
    return subprocess.Popen(command, start_new_session=True)  # noqa: S603


def answers(url: str) -> bool:
    try:
        return requests.get(url, timeout=2).status_code == 200
    except requests.RequestException:
        return False


def png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (320, 180), (30, 120, 200)).save(buffer, "PNG")
    return buffer.getvalue()


def bucket_keys() -> set[tuple[str, str]]:
    client = boto3.client(
        "s3",
        endpoint_url=os.environ["OBJECT_STORAGE_URL"],
        aws_access_key_id=os.environ.get("OBJECT_STORAGE_ACCESS_KEY"),
        aws_secret_access_key=os.environ.get("OBJECT_STORAGE_SECRET_KEY"),
        region_name=os.environ.get("OBJECT_STORAGE_REGION", "us-east-1"),
        config=Config(s3={"addressing_style": "path"}),
    )
    keys: set[tuple[str, str]] = set()
    for bucket in (os.environ["OBJECT_STORAGE_PUBLIC_BUCKET"], os.environ["OBJECT_STORAGE_PRIVATE_BUCKET"]):
        for page in client.get_paginator("list_objects_v2").paginate(Bucket=bucket):
            # S3Proxy's filesystem backend lists its folders as keys ending in "/": not files.
            keys.update((bucket, item["Key"]) for item in page.get("Contents", []) if not item["Key"].endswith("/"))
    return keys


STATUS = """
from submissions.models import Submission
s = Submission.objects.get(pk={pk!r})
result = [s.status, s.page_id]
"""
ACTIONS = """
from django.urls import reverse
from manual.models import CaseStudyPage
state = CaseStudyPage.objects.get(pk={page_id}).current_workflow_task_state
name = "wagtailadmin_pages:workflow_action"
result = {{}}
if state:
    result["approve"] = reverse(name, args=({page_id}, "approve", state.pk))
result["reject"] = reverse("submissions_admin:action", args=({submission!r}, "reject"))
"""
PAGE_URL = """
from manual.models import CaseStudyPage
page = CaseStudyPage.objects.get(pk={page_id})
result = [page.live, page.url]
"""
RELABEL = """
from manual.models import Topic
term = Topic.objects.get(locale__language_code="en", code={code!r})
term.label = {label!r}
term.save()
result = term.label
"""


class Moderator:
    """A moderator's browser session on one server's Wagtail admin: a session cookie and CSRF."""

    def __init__(self, journey: Journey, base: str) -> None:
        self.journey, self.base, self.session = journey, base, requests.Session()

    def sign_in(self) -> bool:
        self.journey.expect(self.session.get(f"{self.base}/admin/login/", timeout=30), 200)
        response = self.session.post(
            f"{self.base}/admin/login/",
            data={"username": MODERATOR, "password": PASSWORD, "csrfmiddlewaretoken": self._csrf()},
            headers={"Referer": f"{self.base}/admin/login/"},
            allow_redirects=False,
            timeout=30,
        )
        return self.journey.expect(response, 302).status_code == 302

    def _csrf(self) -> str:
        return self.session.cookies.get("csrftoken") or ""

    def act(self, path: str | None) -> bool:
        """Post the workflow action at ``path`` (the admin's URL of approve or reject) as the form does."""
        if path is None:
            return False
        response = self.session.post(
            f"{self.base}{path}",
            data={"csrfmiddlewaretoken": self._csrf(), "comment": "topology check", "note": "Not a case."},
            headers={"Referer": f"{self.base}/admin/"},
            allow_redirects=False,
            timeout=60,
        )
        return self.journey.expect(response, 302).status_code == 302


def submit(journey: Journey, base: str, email: str, title: str) -> str | None:
    payload = _payload(email, title)
    response = requests.post(
        f"{base}/api/v1/submissions",
        data={"data": json.dumps(payload)},
        files=[("attachments", ("hero.png", png(), "image/png"))],
        timeout=60,
    )
    journey.expect(response, 201)
    return response.json().get("id") if response.status_code == 201 else None


def _payload(email: str, title: str) -> dict[str, Any]:
    # The shape of tests/support/submissions.py valid_payload (docs/api.md), with one image as hero.
    return {
        "locale": "en",
        "title": title,
        "summary": "Residents of a loopback town propose and vote on projects across two app servers.",
        "organisation": "Topology town",
        "city": "Tartu",
        "country": "ee",
        "coordinates": {"lat": 58.378, "lon": 26.729},
        "government_level": "local",
        "participation_level": "empower",
        "stages": ["decision"],
        "topics": [TOPIC],
        "tools": ["participatory-budgeting"],
        "start_year": 2013,
        "initiative_status": "completed",
        "end_year": 2023,
        "body": {
            "context": "Two servers, one manual.",
            "objectives": "Serve every reader from either server.",
            "approach": "A load balancer in front of both.",
            "results": "Every request answered.",
        },
        "contact": {"name": "Topology Tester", "email": email},
        "consent": {"terms": True, "publish_contact": False, "licence": "CC-BY-4.0"},
        "hero_attachment": 0,
    }


def converted(journey: Journey, env: dict[str, str], pk: str) -> int | None:
    def page_in_review() -> int | None:
        status, page_id = shell(env, STATUS.format(pk=pk))
        return page_id if status == "in_review" else None

    return wait_for("conversion", page_in_review, 180, 1)


def main() -> int:  # noqa: C901, PLR0915 - one journey, read top to bottom
    missing = [name for name in NEEDED if not os.environ.get(name)]
    if missing:
        sys.exit(f"missing {', '.join(missing)}: run scripts/topology.sh (it starts the services)")
    journey = Journey()
    setup = environment("setup")
    started = time.perf_counter()
    for command in (
        ["migrate", "--no-input", "-v", "0"],
        ["createcachetable"],
        ["sync_locales"],
        ["load_demo_manual"],
        ["search_index", "rebuild"],
        ["collectstatic", "--no-input", "-v", "0"],
    ):
        manage(setup, *command)
    manage(
        dict(setup, DJANGO_SUPERUSER_PASSWORD=PASSWORD),
        "createsuperuser", "--no-input", "--username", MODERATOR, "--email", "moderator@example.org",
    )  # fmt: skip
    print(f"database, demo manual and index ready in {time.perf_counter() - started:.0f} s (folders in {TEMP})")

    ports = {"A": free_port(), "B": free_port(), "nginx": free_port()}
    for name in ("A", "B"):  # each server its own copy of the static files, as on its own machine
        shutil.copytree(TEMP / "setup" / "static", TEMP / name / "static", dirs_exist_ok=True)
    processes = [start_gunicorn("A", ports["A"]), start_gunicorn("B", ports["B"]), start_worker()]
    processes.append(start_nginx(ports["nginx"], [ports["A"], ports["B"]]))
    base = {name: f"http://127.0.0.1:{port}" for name, port in ports.items()}
    env = {"A": environment("A"), "B": environment("B")}
    try:
        for name in ("A", "B"):
            if not wait_for(name, partial(answers, f"{base[name]}/healthz"), 180):
                sys.exit(f"server {name} did not start (log: {TEMP / name / 'gunicorn.log'})")
        print(f"A on {base['A']}, B on {base['B']}, nginx on {base['nginx']}")
        run_journey(journey, base, env)
    finally:
        for process in reversed(processes):
            os.killpg(process.pid, 15)
            process.wait(timeout=30)
    return report(journey)


def run_journey(journey: Journey, base: dict[str, str], env: dict[str, dict[str, str]]) -> None:  # noqa: C901, PLR0915
    # 1. A practitioner submits a case with an image through A.
    pk = submit(journey, base["A"], "practitioner@example.org", TITLE)
    if not journey.step("1 submission with an image through A", pk is not None, f"id {pk}") or pk is None:
        return
    # 2. The worker converts it; a moderator approves the review task through B's admin.
    page_id = converted(journey, env["B"], pk)
    if not journey.step("2a the worker converted it into a draft in review", page_id is not None) or page_id is None:
        return
    moderator = Moderator(journey, base["B"])
    signed_in = moderator.sign_in()
    actions = shell(env["B"], ACTIONS.format(page_id=page_id, submission=pk))
    _live, url = shell(env["B"], PAGE_URL.format(page_id=page_id))  # the draft's URL, its URL once live
    hidden_before = not answers(f"{base['A']}{url}")
    approved = signed_in and moderator.act(actions.get("approve"))
    approved_at = time.perf_counter()
    visible = wait_for("page on A", lambda: answers(f"{base['A']}{url}"), 60, 0.02)
    to_a = time.perf_counter() - approved_at
    if not journey.step("2b a moderator approved it through B's admin (session, CSRF)", bool(approved)):
        return
    live, _url = shell(env["B"], PAGE_URL.format(page_id=page_id))
    journey.step(
        "2c published: not on A before, on A after",
        live and hidden_before and bool(visible),
        f"{url}, on A {to_a:.2f} s after the approval on B answered",
    )
    journey.publish_to_a = to_a
    # 3. The page and its image, from A, B and nginx. The worker copies the image to the public
    # bucket after the publication (submissions.services.media.release_files): until it has, the
    # page shows no public image; wait for that.
    public_image = re.compile(r'src="(' + re.escape(os.environ["OBJECT_STORAGE_URL"]) + r'[^"]+)"')

    def served(name: str) -> tuple[bool, list[str], bool]:
        html = journey.expect(requests.get(f"{base[name]}{url}", timeout=30), 200).text
        found = public_image.findall(html)
        image = requests.get(found[0], timeout=30) if found else None
        return TITLE in html, found, bool(image and image.ok and image.headers["Content-Type"].startswith("image/"))

    wait_for("public image", lambda: all(served(name)[2] for name in ("A", "B")), 60, 0.2)
    released = time.perf_counter() - approved_at
    journey.image_public = released
    images = [(name, *served(name)) for name in ("A", "B", "nginx")]
    for name, _title, found, image in images:
        if not image:
            answer = requests.get(found[0], timeout=30).status_code if found else "-"
            print(f"  {name}: image not served: {found[:1]} answers {answer}")
    upstreams = {
        journey.expect(requests.get(f"{base['nginx']}{url}", timeout=30), 200).headers.get("X-Upstream")
        for _ in range(6)
    }
    journey.step("3a nginx balances the page over A and B", len(upstreams) == 2, ", ".join(sorted(map(str, upstreams))))
    journey.step(
        "3b page and image served by A, B and nginx",
        all(title and image for _, title, _found, image in images),
        "; ".join(f"{name}: title {title}, image {image}" for name, title, _found, image in images)
        + f"; image public {released:.2f} s after the approval",
    )
    # 4. A translator relabels the case's topic through A; B's page shows it.
    label = f"Budgets (relabelled {secrets.token_hex(2)})"
    shell(env["A"], RELABEL.format(code=TOPIC, label=label))
    relabelled = time.perf_counter()
    shown = wait_for("label on B", lambda: label in requests.get(f"{base['B']}{url}", timeout=30).text, 90, 0.2)
    seconds = time.perf_counter() - relabelled
    journey.step("4 a label changed through A shows on B", bool(shown), f"after {seconds:.2f} s")
    # 5. Search on both finds the case (the worker processes the index outbox).
    word = TITLE.split()[-1]

    def found_on(name: str) -> bool:
        response = journey.expect(requests.get(f"{base[name]}/api/v1/search", params={"q": word}, timeout=30), 200)
        return TITLE in response.text

    searched = time.perf_counter()
    on_both = wait_for("search", lambda: found_on("A") and found_on("B"), 90, 1)
    journey.step("5 search on A and on B finds it", bool(on_both), f"after {time.perf_counter() - searched:.1f} s")
    # 6. purge_submissions and GDPR erasure through B remove the files from object storage.
    for label_, email, how in (
        ("6a purge_submissions through B", "rejected@example.org", "purge"),
        ("6b GDPR erasure through B", "erase-me@example.org", "erase"),
    ):
        before = bucket_keys()
        other = submit(journey, base["A"], email, f"{TITLE} ({how})")
        other_page = converted(journey, env["B"], other) if other else None
        added = bucket_keys() - before
        if other_page is None or not added:
            journey.step(label_, False, f"submission {other} not converted or no objects stored")
            continue
        if how == "purge":
            rejected = moderator.act(
                shell(env["B"], ACTIONS.format(page_id=other_page, submission=other)).get("reject")
            )
            status = shell(env["B"], STATUS.format(pk=other))[0]
            after_rejection = len(added & bucket_keys())
            output = manage(env["B"], "purge_submissions", "--days", "0")
            detail = (
                f"rejected through B's admin: {rejected} ({status}, {after_rejection} left); {output.splitlines()[0]}"
            )
        else:
            output = manage(env["B"], "submissions_personal_data", "erase", email)
            detail = "; ".join(line.strip() for line in output.strip().splitlines()[:8])
        # Files go after the commit; give a queued deletion (the worker) a moment.
        wait_for("deletion", partial(lambda keys: not keys & bucket_keys(), added), 20, 1)
        left = added & bucket_keys()
        for bucket, key in sorted(left):
            print(f"  left in {bucket}: {key}")
        journey.step(label_, not left, f"{len(added)} object(s) stored, {len(left)} left; {detail}")


def report(journey: Journey) -> int:
    served, errors = {}, 0
    for name in ("A", "B"):
        lines = [
            json.loads(line) for line in (TEMP / name / "access.log").read_text().splitlines() if line.startswith("{")
        ]
        served[name] = len(lines)
        errors += sum(1 for line in lines if line["status"] >= 500)
    errors += journey.unexpected
    failed = [name for name, passed, _ in journey.steps if not passed]
    print("\nfigures")
    print(f"  requests served: A {served['A']}, B {served['B']} (their gunicorn access logs, nginx's share included)")
    print(f"  errors: {errors} (5xx in the access logs plus unexpected answers)")
    to_a = journey.publish_to_a
    print(f"  approval on B to page 200 on A: {f'{to_a:.2f} s' if to_a is not None else 'not measured'}")
    public = journey.image_public
    print(
        f"  approval on B to its image public (worker): {f'{public:.2f} s' if public is not None else 'not measured'}"
    )
    print(f"  steps: {len(journey.steps) - len(failed)} passed, {len(failed)} failed", *failed)
    if errors and not failed:
        print("  FAIL  errors must be 0")
    return 1 if failed or errors or len(journey.steps) < 10 else 0


if __name__ == "__main__":
    sys.exit(main())
