"""The admin sign-in against password guessing: locked per account and per address (django-axes).

After ADMIN_LOGIN_FAILURE_LIMIT (5) failed attempts within the cool-off (15 min), the account is
refused from every address, and the address is refused for every account, even with the right
password, with a page that says when to try again (429). Other accounts from other addresses sign
in as before; the lock lifts after the cool-off.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

pytestmark = pytest.mark.django_db

LOGIN = "/admin/login/"
PASSWORD = "right-horse-battery-staple"
ATTACKER = "203.0.113.5"


@pytest.fixture
def accounts(django_user_model):
    for name in ("editor", "other", "third"):
        django_user_model.objects.create_superuser(name, f"{name}@example.org", PASSWORD)


def sign_in(username: str, password: str, **meta):
    client = Client(**meta)
    response = client.post(LOGIN, {"username": username, "password": password})
    return client, response


def fail_five_times(username: str = "editor", **meta) -> None:
    for attempt in range(5):
        _, response = sign_in(username, f"wrong-{attempt}", **meta)
        if attempt < 4:
            assert response.status_code == 200, "a wrong password shows the form again"
    assert_locked(response)  # the fifth failure already answers with the lockout page


def assert_locked(response) -> None:
    assert response.status_code == 429
    html = response.content.decode()
    assert "Too many failed sign-in attempts" in html and "try again in 15 min" in html
    assert response["Retry-After"] == str(15 * 60)


def test_five_wrong_passwords_lock_the_account_even_for_the_right_one(accounts):
    fail_five_times(REMOTE_ADDR=ATTACKER)
    client, response = sign_in("editor", PASSWORD, REMOTE_ADDR=ATTACKER)
    assert_locked(response)
    assert "_auth_user_id" not in client.session
    # The account, from any other address: guessing from many addresses does not help.
    _, response = sign_in("editor", PASSWORD, REMOTE_ADDR="192.0.2.44")
    assert_locked(response)


def test_the_guessing_address_is_locked_for_every_account(accounts):
    for name in ("editor", "other", "third", "nobody", "root"):
        sign_in(name, "wrong", REMOTE_ADDR=ATTACKER)
    _, response = sign_in("third", PASSWORD, REMOTE_ADDR=ATTACKER)
    assert_locked(response)


def test_another_account_from_another_address_still_signs_in(accounts):
    fail_five_times(REMOTE_ADDR=ATTACKER)
    client, response = sign_in("other", PASSWORD, REMOTE_ADDR="198.51.100.7")
    assert response.status_code == 302
    assert client.get("/admin/").status_code == 200


def test_four_failures_do_not_lock(accounts):
    for attempt in range(4):
        sign_in("editor", f"wrong-{attempt}", REMOTE_ADDR=ATTACKER)
    _, response = sign_in("editor", PASSWORD, REMOTE_ADDR=ATTACKER)
    assert response.status_code == 302


def test_the_lock_lifts_after_the_cool_off(accounts):
    fail_five_times(REMOTE_ADDR=ATTACKER)
    assert_locked(sign_in("editor", PASSWORD, REMOTE_ADDR=ATTACKER)[1])
    # 16 minutes later (the attempts are moved back rather than the clock forward).
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=16))
    _, response = sign_in("editor", PASSWORD, REMOTE_ADDR=ATTACKER)
    assert response.status_code == 302


def test_an_administrator_can_lift_a_lock(accounts):
    fail_five_times(REMOTE_ADDR=ATTACKER)
    call_command("axes_reset_username", "editor")
    call_command("axes_reset_ip", ATTACKER)
    assert sign_in("editor", PASSWORD, REMOTE_ADDR=ATTACKER)[1].status_code == 302


def test_behind_a_proxy_the_forwarded_address_is_locked_not_the_proxy(accounts, settings):
    settings.SUBMISSIONS_TRUSTED_PROXIES = 1
    proxy = {"REMOTE_ADDR": "10.0.0.2"}
    for name in ("a", "b", "c", "d", "e"):
        # The left-most entry is the client's own claim and must not decide the address.
        sign_in(name, "wrong", HTTP_X_FORWARDED_FOR=f"192.0.2.{len(name)}, {ATTACKER}", **proxy)
    _, response = sign_in("other", PASSWORD, HTTP_X_FORWARDED_FOR=f"198.51.100.1, {ATTACKER}", **proxy)
    assert_locked(response)
    _, response = sign_in("other", PASSWORD, HTTP_X_FORWARDED_FOR="198.51.100.7", **proxy)
    assert response.status_code == 302, "other visitors behind the same proxy still sign in"


def test_an_ipv6_client_is_one_address_per_64(accounts):
    for index, name in enumerate(("a", "b", "c", "d", "e")):
        sign_in(name, "wrong", REMOTE_ADDR=f"2001:db8:1:2::{index + 1}")
    _, response = sign_in("other", PASSWORD, REMOTE_ADDR="2001:db8:1:2:ffff::9")
    assert_locked(response)
    assert sign_in("other", PASSWORD, REMOTE_ADDR="2001:db8:1:3::1")[1].status_code == 302


def test_force_login_and_successful_sign_ins_leave_nothing_to_lock(accounts, client, django_user_model):
    client.force_login(django_user_model.objects.get(username="editor"))
    assert client.get("/admin/").status_code == 200
    for _ in range(6):
        assert sign_in("other", PASSWORD, REMOTE_ADDR=ATTACKER)[1].status_code == 302
    assert AccessAttempt.objects.count() == 0
