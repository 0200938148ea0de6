"""The many-machines topology, end to end (prints figures; not a test; docs/operations.md "Topology").

    scripts/topology.sh          # = the with-*.sh wrappers around this script

Needs, from the wrappers: DATABASE_URL (PostgreSQL), OBJECT_STORAGE_URL and its keys and buckets
(S3Proxy), REDIS_URL (redis-server). Then, on loopback:

1. starts an OpenSearch cluster of 2 nodes (bench/search_cluster.py; 1 node when MemAvailable is
   short of what two need beside the rest), waits for green; the app servers' SEARCH_URL is the
   first node, their entry node (SEARCH_URL takes one address: a load balancer or one node), and
   each index has 1 replica on the other node (``SEARCH_INDEX_REPLICAS`` unset);
2. migrates and loads the demo manual once, makes a moderator (superuser), an editor and a
   translator (members of the groups that ``manual.services.review.ROLES`` declares);
3. starts two app servers A and B (gunicorn, TASKS_BACKEND=database), each with its own VAR_DIR in
   a temporary folder (no shared disk), the same services and SECRET_KEY, on their own ports; one
   ``manage.py db_worker`` with a VAR_DIR of its own; nginx (/usr/sbin/nginx, no root) balancing A
   and B round-robin, with a configuration written here; and in front of nginx, Apache with the
   configuration of production (``manage.py apache_conf``, as scripts/serve.sh runs it);
4. the journey, every request to the app through Apache: a practitioner submits a case with an
   image through A (the intake API); the worker converts it; a moderator signs in to B's admin
   (session and CSRF) and approves the review task; the page and its image are served by A, B and
   the balanced front; an editor has the case translated into Russian ("Translate this page"), a
   translator signs in to A's admin, downloads the translation's PO file, fills it, uploads it and
   submits the translation for review, the moderator approves it through A and B serves the Russian
   page; search on A and B finds the case; a second submission rejected through B's admin is purged
   by ``purge_submissions`` run with B's environment, a third is erased by
   ``submissions_personal_data erase`` run with B's environment, and their objects are gone from
   both buckets (listed with boto3).

Which server answers is nginx's choice (round-robin) unless a request names one: the header
``X-Topology-Server: A`` (or ``B``) pins it, a rule of this script's nginx configuration only, so
that "through A" is a fact while the request still passes Apache and nginx. The few look-ups of ids
(the submission's status, the workflow task to approve, the translation) run ``manage.py shell``
with the environment of A or B: the same process a server's own code would run, without a browser.
Figures: the search cluster's health, requests served by A and B (their gunicorn access logs) and
the requests that reached nginx through Apache and not, errors (5xx in those logs plus answers this
script did not expect: must be 0), seconds from the approval on B to the page answering 200 on A
and from the translation's approval on A to the Russian page on B, and each step's pass or fail.
Exits 1 if a step fails.
"""

from __future__ import annotations

import io
import json
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

import boto3
import polib
import requests
from botocore.config import Config
from PIL import Image

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.stdout.reconfigure(line_buffering=True)  # type: ignore[union-attr]  # progress shows as it happens

from bench.loadgen import free_port  # noqa: E402
from bench.search_cluster import NODE_MEMORY_MIB, Cluster, memory_available_mib, wait_green  # noqa: E402

NEEDED = ("DATABASE_URL", "OBJECT_STORAGE_URL", "REDIS_URL")
TEMP = Path(tempfile.mkdtemp(prefix="manual-topology-"))
PASSWORD = secrets.token_urlsafe(16)
MODERATOR, EDITOR, TRANSLATOR = "topology-moderator", "topology-editor", "topology-translator"
TOKEN = secrets.token_hex(3)
TITLE = f"Kestrel budget of Topology town {TOKEN}"
NGINX, APACHE = "/usr/sbin/nginx", "/usr/sbin/apache2"
TOPIC = "budget"
# Two search nodes when MemAvailable holds them and this much for the rest (PostgreSQL, S3Proxy,
# Redis, two gunicorns, the worker, the proxies); else one.
REST_MEMORY_MIB = 3072
# The request header by which this script's nginx sends a request to one server (see the docstring).
PIN = "X-Topology-Server"
# The translator's Russian for the case's strings (the payload below); other strings (names) stay.
RUSSIAN = {
    TITLE: f"Бюджет Пустельги в городе Топология {TOKEN}",
    "Residents of a loopback town propose and vote on projects across two app servers.": (
        "Жители города на петле предлагают проекты и голосуют за них на двух серверах."
    ),
    "Topology town": "Город Топология",
    "Two servers, one manual.": "Два сервера, одно руководство.",
    "Serve every reader from either server.": "Обслуживать каждого читателя с любого сервера.",
    "A load balancer in front of both.": "Балансировщик нагрузки перед обоими.",
    "Every request answered.": "На каждый запрос дан ответ.",
}


class Journey:
    def __init__(self) -> None:
        self.steps: list[tuple[str, bool, str]] = []
        self.unexpected = 0
        self.publish_to_a: float | None = None
        self.image_public: float | None = None
        self.translation_to_b: float | None = None
        self.search_health = ""

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


class Front:
    """Apache, the one address of the topology: ``get`` and ``post`` through it, to ``server`` if named."""

    def __init__(self, url: str) -> None:
        self.url = url

    def __call__(self, path: str) -> str:
        return f"{self.url}{path}"

    @staticmethod
    def pin(server: str | None) -> dict[str, str]:
        return {PIN: server} if server else {}

    def get(self, server: str | None, path: str, **options: Any) -> requests.Response:
        return requests.get(self(path), headers=self.pin(server), timeout=options.pop("timeout", 30), **options)


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


def start_search() -> Cluster:
    """The search cluster: 2 nodes, or 1 when MemAvailable is short; SEARCH_URL is its entry node."""
    available = memory_available_mib()
    needed = 2 * NODE_MEMORY_MIB + REST_MEMORY_MIB
    size = 1 if available is not None and available < needed else 2
    print(f"OpenSearch: {size} node(s) (MemAvailable {available} MiB; 2 nodes need {needed} MiB)")
    cluster = Cluster("manual-topology", size, TEMP / "search")
    cluster.folder.mkdir()
    cluster.start()
    green = wait_green(cluster.nodes[0].url, size)
    print(f"OpenSearch green with {size} node(s) {green:.0f} s after the wait began (logs in {cluster.folder})")
    os.environ.update(SEARCH_URL=cluster.nodes[0].url, SEARCH_ENGINE="opensearch")
    os.environ.pop("SEARCH_INDEX_REPLICAS", None)  # the cluster's default: 1 replica with 2 nodes
    return cluster


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


def start_nginx(port: int, upstreams: dict[str, int]) -> subprocess.Popen[bytes]:
    """nginx balancing the servers round-robin; a request with the header PIN goes to the one it names."""
    prefix = TEMP / "nginx"
    prefix.mkdir(exist_ok=True)
    pools = {"app": list(upstreams), **{f"server_{name}": [name] for name in upstreams}}
    groups = "".join(
        f"    upstream {pool} {{\n"
        + "".join(f"        server 127.0.0.1:{upstreams[name]};\n" for name in names)
        + "    }\n"
        for pool, names in pools.items()
    )
    pins = "".join(f"        {name} server_{name};\n" for name in upstreams)
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
    # Apache sets X-Forwarded-Proto on every request it passes: "-" here means it did not pass Apache.
    log_format topology '$upstream_addr $status $http_x_forwarded_proto';
    access_log {prefix}/access.log topology;
{temp_paths}{groups}    map $http_{PIN.lower().replace("-", "_")} $pool {{
        default app;
{pins}    }}
    server {{
        listen 127.0.0.1:{port};
        client_max_body_size 60m;
        location / {{
            proxy_pass http://$pool;
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


def start_apache(port: int, nginx_port: int) -> subprocess.Popen[bytes]:
    """Apache in front of nginx with production's configuration, written as scripts/serve.sh has it written."""
    run_dir = TEMP / "apache"
    run_dir.mkdir(exist_ok=True)
    conf = manage(
        environment("setup"),
        "apache_conf", "--listen", f"127.0.0.1:{port}", "--upstream", f"127.0.0.1:{nginx_port}",
        "--run-dir", str(run_dir), "--client-timeout", "5", "--min-rate", "500",
    ).strip()  # fmt: skip
    subprocess.run([APACHE, "-t", "-f", conf], check=True, capture_output=True)  # noqa: S603 - Debian's Apache
    log = (run_dir / "error.log").open("ab")
    return subprocess.Popen(  # noqa: S603
        [APACHE, "-DFOREGROUND", "-f", conf], stdout=log, stderr=subprocess.STDOUT, start_new_session=True
    )


def listening(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) == 0


def answers(url: str, headers: dict[str, str] | None = None, timeout: float = 2) -> bool:
    try:
        return requests.get(url, headers=headers, timeout=timeout).status_code == 200
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


ACCOUNTS = """
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from manual.services.review import EDITORS, TRANSLATORS
result = {{}}
for username, role in (({editor!r}, EDITORS), ({translator!r}, TRANSLATORS)):
    user = get_user_model().objects.create_user(username, f"{{username}}@example.org", {password!r})
    user.groups.add(Group.objects.get(name=role))
    result[username] = role
"""
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
if {submission!r}:
    result["reject"] = reverse("submissions_admin:action", args=({submission!r}, "reject"))
"""
PAGE_URL = """
from manual.models import CaseStudyPage
page = CaseStudyPage.objects.get(pk={page_id})
result = [page.live, page.url]
"""
LOCALE = """
from wagtail.models import Locale
result = Locale.objects.get(language_code={language!r}).pk
"""
TRANSLATION = """
from wagtail_localize.models import Translation
from manual.models import CaseStudyPage
source = CaseStudyPage.objects.get(pk={page_id})
translation = Translation.objects.get(source__object_id=source.translation_key, target_locale__language_code="ru")
target = CaseStudyPage.objects.get(translation_key=source.translation_key, locale__language_code="ru")
result = [translation.pk, target.pk, target.url]
"""


class AdminUser:
    """Someone's browser session on the Wagtail admin, through the front: a session cookie and CSRF."""

    def __init__(self, journey: Journey, front: Front, username: str, server: str) -> None:
        self.journey, self.front, self.username, self.server = journey, front, username, server
        self.session = requests.Session()

    def sign_in(self) -> bool:
        self.journey.expect(self.get("/admin/login/"), 200)
        response = self.post("/admin/login/", {"username": self.username, "password": PASSWORD})
        return self.journey.expect(response, 302).status_code == 302

    def get(self, path: str, server: str | None = None) -> requests.Response:
        return self.session.get(self.front(path), headers=self.front.pin(server or self.server), timeout=60)

    def post(self, path: str, data: dict[str, Any], server: str | None = None, **options: Any) -> requests.Response:
        """POST as the admin's forms do: the CSRF token and a same-origin Referer."""
        return self.session.post(
            self.front(path),
            data={**data, "csrfmiddlewaretoken": self.session.cookies.get("csrftoken") or ""},
            headers={**self.front.pin(server or self.server), "Referer": self.front(path)},
            allow_redirects=False,
            timeout=60,
            **options,
        )

    def act(self, path: str | None, server: str | None = None) -> bool:
        """Post the workflow action at ``path`` (the admin's URL of approve or reject) as the form does."""
        if path is None:
            return False
        response = self.post(path, {"comment": "topology check", "note": "Not a case."}, server)
        return self.journey.expect(response, 302).status_code == 302


def submit(journey: Journey, front: Front, email: str, title: str) -> str | None:
    payload = _payload(email, title)
    response = requests.post(
        front("/api/v1/submissions"),
        headers=front.pin("A"),
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


def main() -> int:
    missing = [name for name in NEEDED if not os.environ.get(name)]
    if missing:
        sys.exit(f"missing {', '.join(missing)}: run scripts/topology.sh (it starts the services)")
    journey = Journey()
    cluster = start_search()
    try:
        serve(journey, cluster)
    finally:
        cluster.stop()
    return report(journey)


def serve(journey: Journey, cluster: Cluster) -> None:
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
    shell(setup, ACCOUNTS.format(editor=EDITOR, translator=TRANSLATOR, password=PASSWORD))
    print(f"database, demo manual, accounts and index ready in {time.perf_counter() - started:.0f} s (in {TEMP})")
    green = wait_green(cluster.nodes[0].url, len(cluster.nodes))
    health = cluster.health()
    replicas = health["active_shards"] - health["active_primary_shards"]
    journey.search_health = (
        f"{health['status']}, {health['number_of_nodes']} node(s), {health['active_primary_shards']} primary and "
        f"{replicas} replica shards (green {green:.1f} s after the rebuild)"
    )
    print(f"OpenSearch after the rebuild: {journey.search_health}")

    ports = {"A": free_port(), "B": free_port(), "nginx": free_port(), "apache": free_port()}
    for name in ("A", "B"):  # each server its own copy of the static files, as on its own machine
        shutil.copytree(TEMP / "setup" / "static", TEMP / name / "static", dirs_exist_ok=True)
    processes = [start_gunicorn("A", ports["A"]), start_gunicorn("B", ports["B"]), start_worker()]
    try:
        for name in ("A", "B"):  # bound: from here on every request goes through Apache
            if not wait_for(name, partial(listening, ports[name]), 180):
                sys.exit(f"server {name} did not start (log: {TEMP / name / 'gunicorn.log'})")
        processes.append(start_nginx(ports["nginx"], {"A": ports["A"], "B": ports["B"]}))
        processes.append(start_apache(ports["apache"], ports["nginx"]))
        front = Front(f"http://127.0.0.1:{ports['apache']}")
        for name in ("A", "B"):
            if not wait_for(name, partial(answers, front("/healthz"), front.pin(name), 60), 180):
                sys.exit(f"server {name} did not answer through Apache (logs in {TEMP})")
        print(f"Apache on {front.url} -> nginx on :{ports['nginx']} -> A on :{ports['A']}, B on :{ports['B']}")
        run_journey(journey, front, {"A": environment("A"), "B": environment("B")})
    finally:
        for process in reversed(processes):
            os.killpg(process.pid, 15)
            process.wait(timeout=30)
    health = cluster.health()
    journey.search_health += f"; at the end {health['status']}, {health['number_of_nodes']} node(s)"


def run_journey(journey: Journey, front: Front, env: dict[str, dict[str, str]]) -> None:  # noqa: C901, PLR0915
    # 1. A practitioner submits a case with an image through A.
    pk = submit(journey, front, "practitioner@example.org", TITLE)
    if not journey.step("1 submission with an image through A", pk is not None, f"id {pk}") or pk is None:
        return
    # 2. The worker converts it; a moderator approves the review task through B's admin.
    page_id = converted(journey, env["B"], pk)
    if not journey.step("2a the worker converted it into a draft in review", page_id is not None) or page_id is None:
        return
    moderator = AdminUser(journey, front, MODERATOR, "B")
    signed_in = moderator.sign_in()
    actions = shell(env["B"], ACTIONS.format(page_id=page_id, submission=pk))
    _live, url = shell(env["B"], PAGE_URL.format(page_id=page_id))  # the draft's URL, its URL once live
    on_a = partial(answers, front(url), front.pin("A"))
    hidden_before = not on_a()
    approved = signed_in and moderator.act(actions.get("approve"))
    approved_at = time.perf_counter()
    visible = wait_for("page on A", on_a, 60, 0.02)
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
    # 3. The page and its image, from A, B and the balanced front. The worker copies the image to
    # the public bucket after the publication (submissions.services.media.release_files): until it
    # has, the page shows no public image; wait for that. Images are the object storage's URLs.
    public_image = re.compile(r'src="(' + re.escape(os.environ["OBJECT_STORAGE_URL"]) + r'[^"]+)"')

    def served(name: str | None) -> tuple[bool, list[str], bool]:
        html = journey.expect(front.get(name, url), 200).text
        found = public_image.findall(html)
        image = requests.get(found[0], timeout=30) if found else None
        return TITLE in html, found, bool(image and image.ok and image.headers["Content-Type"].startswith("image/"))

    wait_for("public image", lambda: all(served(name)[2] for name in ("A", "B")), 60, 0.2)
    released = time.perf_counter() - approved_at
    journey.image_public = released
    images = [(name or "balanced", *served(name)) for name in ("A", "B", None)]
    for name, _title, found, image in images:
        if not image:
            answer = requests.get(found[0], timeout=30).status_code if found else "-"
            print(f"  {name}: image not served: {found[:1]} answers {answer}")
    upstreams = {journey.expect(front.get(None, url), 200).headers.get("X-Upstream") for _ in range(6)}
    journey.step(
        "3a Apache and nginx balance the page over A and B", len(upstreams) == 2, ", ".join(sorted(map(str, upstreams)))
    )
    journey.step(
        "3b page and image served by A, B and the balanced front",
        all(title and image for _, title, _found, image in images),
        "; ".join(f"{name}: title {title}, image {image}" for name, title, _found, image in images)
        + f"; image public {released:.2f} s after the approval",
    )
    # 4. A translator's change through A: the case in Russian, reviewed, on B.
    translate(journey, front, env, moderator, page_id)
    # 5. Search on both finds the case (the worker processes the index outbox).
    word = TITLE.split()[-1]

    def found_on(name: str) -> bool:
        response = journey.expect(front.get(name, "/api/v1/search", params={"q": word}), 200)
        return TITLE in response.text

    searched = time.perf_counter()
    on_both = wait_for("search", lambda: found_on("A") and found_on("B"), 90, 1)
    journey.step("5 search on A and on B finds it", bool(on_both), f"after {time.perf_counter() - searched:.1f} s")
    # 6. purge_submissions and GDPR erasure through B remove the files from object storage.
    for label, email, how in (
        ("6a purge_submissions through B", "rejected@example.org", "purge"),
        ("6b GDPR erasure through B", "erase-me@example.org", "erase"),
    ):
        before = bucket_keys()
        other = submit(journey, front, email, f"{TITLE} ({how})")
        other_page = converted(journey, env["B"], other) if other else None
        added = bucket_keys() - before
        if other_page is None or not added:
            journey.step(label, False, f"submission {other} not converted or no objects stored")
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
        journey.step(label, not left, f"{len(added)} object(s) stored, {len(left)} left; {detail}")


def translate(
    journey: Journey, front: Front, env: dict[str, dict[str, str]], moderator: AdminUser, page_id: int
) -> None:
    """docs/translations.md "The path of a translation", by its roles over HTTP: the editor's "Translate
    this page", the translator's PO file and "Submit for review" in A's admin, the moderator's approval
    through A; then the Russian page on B."""
    editor = AdminUser(journey, front, EDITOR, "A")
    russian = shell(env["A"], LOCALE.format(language="ru"))
    submitted = editor.sign_in() and editor.post(f"/admin/localize/submit/page/{page_id}/", {"locales": [russian]})
    if not journey.step("4a an editor had it translated into Russian through A", bool(submitted)):
        return
    translation_id, target_id, russian_url = shell(env["A"], TRANSLATION.format(page_id=page_id))
    translator = AdminUser(journey, front, TRANSLATOR, "A")
    signed_in = translator.sign_in()
    # The translation editor (a translator's edit view of the page), then its "Download PO file".
    journey.expect(translator.get(f"/admin/pages/{target_id}/edit/"), 200)
    po_file = journey.expect(translator.get(f"/admin/localize/translate/{translation_id}/pofile/download/"), 200)
    po = polib.pofile(po_file.text)
    for entry in po:
        entry.msgstr = entry.msgstr or RUSSIAN.get(entry.msgid, entry.msgid)  # names and the slug stay
    in_russian = sum(1 for entry in po if entry.msgid in RUSSIAN)
    uploaded = translator.post(
        f"/admin/localize/translate/{translation_id}/pofile/upload/",
        {"next": f"/admin/pages/{target_id}/edit/"},
        files={"file": ("translation.po", str(po).encode(), "text/x-gettext-translation")},
    )
    review = f"/admin/manual/translations/{translation_id}/"
    journey.expect(translator.get(review), 200)
    sent = translator.post(f"{review}submit-for-review/", {})
    actions = shell(env["A"], ACTIONS.format(page_id=target_id, submission=""))

    def russian_on_b() -> bool:
        return RUSSIAN[TITLE] in journey.expect(front.get("B", russian_url), 200).text

    unreviewed_hidden = not russian_on_b()
    journey.step(
        "4b a translator translated it (PO file) and submitted it for review through A's admin",
        signed_in and uploaded.status_code == 302 and sent.status_code == 302 and "approve" in actions,
        f"translation {translation_id}, {in_russian} of {len(po)} strings in Russian; "
        f"the Russian text not on B before the review: {unreviewed_hidden}",
    )
    # The moderator's session, signed in on B, is valid on A: sessions are shared.
    approved = moderator.act(actions.get("approve"), "A")
    approved_at = time.perf_counter()
    shown = wait_for("Russian on B", russian_on_b, 90, 0.05)
    journey.translation_to_b = time.perf_counter() - approved_at
    journey.step(
        "4c approved through A, the Russian page shows on B",
        approved and unreviewed_hidden and bool(shown),
        f"{russian_url} on B {journey.translation_to_b:.2f} s after the approval on A answered",
    )


def report(journey: Journey) -> int:
    served, errors = {}, 0
    for name in ("A", "B"):
        lines = [
            json.loads(line) for line in (TEMP / name / "access.log").read_text().splitlines() if line.startswith("{")
        ]
        served[name] = len(lines)
        errors += sum(1 for line in lines if line["status"] >= 500)
    # nginx's log: "upstream status forwarded-proto" per request.
    proxied = [line.split() for line in (TEMP / "nginx" / "access.log").read_text().splitlines()]
    through_apache = Counter(upstream for upstream, _status, proto in proxied if proto != "-")
    errors += sum(1 for _upstream, status, _proto in proxied if status.startswith("5"))
    errors += journey.unexpected
    failed = [name for name, passed, _ in journey.steps if not passed]
    print("\nfigures")
    print(f"  search: OpenSearch {journey.search_health}")
    print(f"  requests served: A {served['A']}, B {served['B']} (their gunicorn access logs)")
    print(
        f"  requests through Apache (nginx's log): {sum(through_apache.values())}"
        f" ({', '.join(f'{upstream} {count}' for upstream, count in sorted(through_apache.items()))});"
        f" not through Apache: {sum(1 for *_rest, proto in proxied if proto == '-')}"
    )
    print(f"  errors: {errors} (5xx in the access logs plus unexpected answers)")
    for label, seconds in (
        ("approval on B to page 200 on A", journey.publish_to_a),
        ("approval on B to its image public (worker)", journey.image_public),
        ("translation's approval on A to the Russian page on B", journey.translation_to_b),
    ):
        print(f"  {label}: {f'{seconds:.2f} s' if seconds is not None else 'not measured'}")
    print(f"  steps: {len(journey.steps) - len(failed)} passed, {len(failed)} failed", *failed)
    if errors and not failed:
        print("  FAIL  errors must be 0")
    return 1 if failed or errors or len(journey.steps) < 12 else 0


if __name__ == "__main__":
    sys.exit(main())
