"""Everyone sets their own name, phone and time zone (new people start in UTC); customers choose which case
emails they get, staff are sent to their notice preferences."""

from django.utils.html import escape

from demo.people import DEMO_PASSWORD
from tenants.models import CaseEmail, User
from tests.factories import MembershipFactory


def sign_in(client, email):
    assert client.post("/accounts/login/", {"login": email, "password": DEMO_PASSWORD}).status_code == 302


def settings_form(**changes):
    form = {
        "first_name": "Bob",
        "last_name": "Baker",
        "phone": "",
        "time_zone": "America/Denver",
        "case_emails": [kind for kind in CaseEmail.values],
    }
    return {**form, **changes}


def test_a_customer_sets_name_phone_and_time_zone_and_sees_times_in_it(client, demo):
    sign_in(client, "bob@acme.test")
    response = client.post(
        "/settings/",
        settings_form(first_name="Robert", phone="+1 303 555 0100", time_zone="Europe/Berlin"),
        follow=True,
    )
    assert response.redirect_chain == [("/settings/", 302)]
    assert "Your settings are saved." in response.content.decode()
    bob = User.objects.get(email="bob@acme.test")
    assert (bob.first_name, bob.phone, bob.time_zone) == ("Robert", "+1 303 555 0100", "Europe/Berlin")
    # Every page now reads in Berlin time.
    assert "times shown in CET" in client.get("/portal/").content.decode()


def test_a_new_person_starts_in_utc_and_can_change_it(client, db):
    person = MembershipFactory().user
    assert person.time_zone == "UTC"
    client.force_login(person)
    page = client.get("/settings/").content.decode()
    assert '<option value="UTC" selected>UTC</option>' in page
    client.post("/settings/", settings_form(first_name="Nia", time_zone="America/Chicago"))
    person.refresh_from_db()
    assert person.time_zone == "America/Chicago"


def test_an_unknown_time_zone_or_no_first_name_is_refused_on_its_field(client, demo):
    sign_in(client, "bob@acme.test")
    response = client.post("/settings/", settings_form(first_name=" ", time_zone="Mars/Olympus"))
    assert response.status_code == 400
    assert response.context["form"].errors.keys() == {"first_name", "time_zone"}
    bob = User.objects.get(email="bob@acme.test")
    assert (bob.first_name, bob.time_zone) == ("Bob", "America/Denver")


def test_a_customer_chooses_which_case_emails_they_get_and_sees_which_always_come(client, demo):
    sign_in(client, "bob@acme.test")
    page = client.get("/settings/").content.decode()
    for label in CaseEmail.labels:
        assert escape(label) in page
    assert "These always reach you" in page

    client.post("/settings/", settings_form(case_emails=[CaseEmail.STATUS, CaseEmail.ESCALATION]))
    bob = User.objects.get(email="bob@acme.test")
    assert bob.case_emails_off == sorted([CaseEmail.REPLIES, CaseEmail.SEVERITY])

    page = client.get("/settings/").content.decode()
    assert f'value="{CaseEmail.STATUS}" id="id_case_emails_1" checked' in page
    assert f'value="{CaseEmail.REPLIES}" id="id_case_emails_0">' in page


def test_staff_set_their_details_here_and_their_notices_on_the_notice_preferences(client, demo):
    sign_in(client, "engineer@demo.test")
    page = client.get("/settings/").content.decode()
    assert 'href="/staff/notices/preferences/"' in page
    assert "Emails about your cases" not in page

    client.post("/settings/", settings_form(first_name="Erik", time_zone="America/Chicago", case_emails=[]))
    erik = User.objects.get(email="engineer@demo.test")
    assert (erik.time_zone, erik.case_emails_off) == ("America/Chicago", [])


def test_every_page_links_to_the_settings(client, demo):
    for who in ["bob@acme.test", "engineer@demo.test"]:
        client.logout()
        sign_in(client, who)
        assert 'href="/settings/"' in client.get("/kb/").content.decode()


def test_the_settings_need_a_sign_in(client, db):
    response = client.get("/settings/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
