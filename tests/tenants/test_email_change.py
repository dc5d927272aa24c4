"""Changing one's email address needs proof of owning the new one (issue 7, item 8)."""

import re

from allauth.account.models import EmailAddress
from django.core import mail

from tenants.models import User


def test_a_new_address_takes_over_only_from_the_link_sent_to_it(client, demo):
    client.force_login(demo["bob"])

    client.post("/accounts/email/", {"email": "ceo@acme.test", "action_add": ""})

    bob = User.objects.get(pk=demo["bob"].pk)
    assert bob.email == "bob@acme.test"
    assert mail.outbox[-1].to == ["ceo@acme.test"]

    # Trying to make the unproven address primary, or to drop the old one, changes nothing.
    client.post("/accounts/email/", {"email": "ceo@acme.test", "action_primary": ""})
    client.post("/accounts/email/", {"email": "bob@acme.test", "action_remove": ""})
    bob.refresh_from_db()
    assert bob.email == "bob@acme.test"
    assert EmailAddress.objects.filter(user=bob, email="bob@acme.test").exists()

    # Whoever owns ceo@acme.test follows the link: only then is it Bob's address.
    link = re.search(r"http://\S+/accounts/confirm-email/\S+", mail.outbox[-1].body).group(0)
    path = "/" + link.split("/", 3)[3]
    client.post(path)
    bob.refresh_from_db()
    assert bob.email == "ceo@acme.test"


def test_an_address_someone_else_signs_in_with_is_never_taken(client, demo):
    client.force_login(demo["bob"])
    client.post("/accounts/email/", {"email": "mia@northwind-msp.test", "action_add": ""})
    client.post("/accounts/email/", {"email": "mia@northwind-msp.test", "action_primary": ""})
    assert User.objects.get(pk=demo["bob"].pk).email == "bob@acme.test"
    assert User.objects.filter(email="mia@northwind-msp.test").get() == demo["mia"]
