"""Demo cases for `manage.py seed_demo`: several cases in every organization of every paying account, in
every state, with replies, notes and attachments, spread over the last four weeks.

Every case is told through the real services (ticket_create, ticket_reply, ticket_confirm, ticket_close,
ticket_escalate), so numbers, deadlines, life-cycle moves, audit events and emails are what the product makes.
Runs after tenants.demo.demo_seed(); does nothing once the demo accounts have cases.
"""

import datetime
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone

from tenants.models import Organization, Product, User, Version
from tickets.models import Attachment, Case, CaseEvent, ResponseKind
from tickets.services import ticket_close, ticket_confirm, ticket_create, ticket_escalate, ticket_reply

PAYING_ACCOUNTS = ["Acme", "Northwind MSP", "Enterprise Corp"]

ERIK, PRIYA = "engineer@demo.test", "engineer2@demo.test"
ALICE, BOB = "alice@acme.test", "bob@acme.test"
MIA, MAX = "mia@northwind-msp.test", "max@northwind-msp.test"
ERIN = "erin@enterprise.test"

# What a step does. A staff "reply" needs a kind; a customer's has none.
REPLY, NOTE, PROPOSE, CONFIRM, CLOSE, ESCALATE = "reply", "note", "propose", "confirm", "close", "escalate"


@dataclass(frozen=True)
class Step:
    who: str
    do: str
    body: str = ""
    kind: str = ""
    after: float | None = None  # hours after the case was received ...
    ago: float | None = None  # ... or hours before now (for a wait that must still be running)
    files: tuple[tuple[str, tuple[str, ...]], ...] = ()  # (file name, log lines)


@dataclass(frozen=True)
class Story:
    organization: str
    requester: str
    days_ago: float
    at: str | None  # filed at this local time of the requester on a weekday; None: exactly days_ago
    severity: int
    category: str
    subject: str
    description: str
    product: str = ""
    version: str = ""
    operating_system: str = ""
    os_version: str = ""
    device_id: str = ""
    troubleshooting: str = ""
    cc: tuple[str, ...] = ()
    files: tuple[tuple[str, tuple[str, ...]], ...] = ()
    steps: tuple[Step, ...] = ()


GATEWAY, AGENT = "Identity Gateway", "Endpoint Agent"

STORIES = [
    # ------------------------------------------------------------------ Acme (Standard, Denver office hours)
    Story(
        organization="Acme",
        requester=BOB,
        days_ago=24,
        at="09:40",
        severity=2,
        category="Sign-in / SSO",
        subject="SSO sign-in fails with “Invalid SAML response” after IdP certificate rotation",
        description=(
            "Since our identity team rotated the IdP signing certificate this morning, about half of our "
            "users get **Invalid SAML response** when they sign in to the HR portal through the gateway.\n"
            "\n- Users who already had a session are fine until it expires\n"
            "- New sign-ins fail every time\n\nGateway log attached."
        ),
        product=GATEWAY,
        version="5.0",
        operating_system="Ubuntu",
        os_version="22.04",
        device_id="idgw-prod-01",
        troubleshooting="Restarted the gateway service; re-downloaded the IdP metadata once.",
        cc=(ALICE,),
        files=(
            (
                "idgw-saml.log",
                (
                    "INFO  saml.sp     AuthnRequest sent to https://idp.acme.test/sso (id=_8f2c41)",
                    "WARN  saml.sp     Signature check failed: certificate thumbprint 3A:9F:…:C1 not trusted",
                    "ERROR saml.sp     Invalid SAML response for _8f2c41: signature validation failed",
                ),
            ),
        ),
        steps=(
            Step(
                ERIK,
                NOTE,
                "Thumbprint in the log is the *old* cert. Metadata cache TTL is 24 h on 5.0: likely still "
                "cached.",
                after=1.2,
            ),
            Step(
                ERIK,
                REPLY,
                "Thanks Bob. Could you run `idgw-cli metadata show --idp acme` and attach the output? "
                "It tells us which signing certificate the gateway currently trusts.",
                kind=ResponseKind.REQUEST_INFO,
                after=1.5,
            ),
            Step(
                BOB,
                REPLY,
                "Output attached. It still lists the old certificate.",
                after=20,
                files=(
                    (
                        "metadata-show.log",
                        (
                            "idp: acme (https://idp.acme.test)",
                            "signing certificate: CN=idp.acme.test, thumbprint 3A:9F:…:C1 (previous)",
                            "metadata fetched: 23 h ago, next refresh in 1 h",
                        ),
                    ),
                ),
            ),
            Step(
                PRIYA,
                PROPOSE,
                "The gateway caches IdP metadata for 24 hours. Force a refresh with\n\n"
                "```\nidgw-cli metadata refresh --idp acme\n```\n\n"
                "and sign-ins work at once. See KB-1042 *Rotating an IdP signing certificate without "
                "downtime* "
                "for adding the new certificate before the switch next time.",
                kind=ResponseKind.KB_LINK,
                after=26,
            ),
            Step(BOB, CONFIRM, after=50),
        ),
    ),
    Story(
        organization="Acme",
        requester=ALICE,
        days_ago=17,
        at="14:10",
        severity=3,
        category="Multi-factor authentication",
        subject="Can we require MFA only for admin roles?",
        description=(
            "We would like to roll out MFA to our IT admins first and the rest of the company next quarter. "
            "Is there a way to scope the MFA policy to a group?"
        ),
        product=GATEWAY,
        version="5.0",
        steps=(
            Step(
                ERIK,
                REPLY,
                "Yes: MFA policies are assigned per group. Create a policy under *Policies → MFA*, set "
                "**Applies to** to your `IT-Admins` group and leave the default policy at *Optional*. "
                "Policies are evaluated most specific first, so admins get the stricter one.",
                kind=ResponseKind.DESIGN,
                after=3,
            ),
            Step(ALICE, REPLY, "Perfect, that is what we needed. Closing this one.", after=5),
            Step(ALICE, CLOSE, after=5.1),
        ),
    ),
    Story(
        organization="Acme",
        requester=ALICE,
        days_ago=21,
        at="13:05",
        severity=3,
        category="Administration console",
        subject="Admin console shows a blank page after the latest Chrome update",
        description=(
            "Our remaining on-premises gateway still runs 4.0. Since Chrome updated last night the admin "
            "console loads a blank page; Firefox still works."
        ),
        product=GATEWAY,
        version="4.0",
        operating_system="Windows Server",
        os_version="2019",
        device_id="idgw-legacy",
        steps=(
            Step(
                ERIK,
                PROPOSE,
                "Identity Gateway 4.0 reached end of support, and its console relies on a browser API that "
                "Chrome removed. The fix is in 5.0: please plan the upgrade (guide: KB-0871). Until then, "
                "use Firefox or Edge for the console.",
                kind=ResponseKind.PATCH,
                after=2.5,
            ),
            Step(ALICE, CONFIRM, after=28),
        ),
    ),
    Story(
        organization="Acme",
        requester=BOB,
        days_ago=8,
        at="10:20",
        severity=3,
        category="Directory sync",
        subject="LDAP sync skips users in nested groups",
        description=(
            "Users who are members of `Sales-EMEA` (itself a member of `Sales`) are not provisioned by the "
            "LDAP sync. Direct members of `Sales` are. Sync filter:\n\n"
            "```\n(&(objectClass=user)(memberOf=CN=Sales,OU=Groups,DC=acme,DC=test))\n"
            "```"
        ),
        product=GATEWAY,
        version="5.0",
        steps=(
            Step(
                ERIK,
                NOTE,
                "Classic memberOf without the matching-rule OID. Check their directory type.",
                after=2,
            ),
            Step(
                ERIK,
                REPLY,
                "Which directory does the gateway sync from (Active Directory, OpenLDAP, something else), "
                "and "
                "how many levels deep do your groups nest?",
                kind=ResponseKind.REQUEST_INFO,
                after=2.2,
            ),
            Step(BOB, REPLY, "Active Directory 2019. Two levels at most.", after=22),
            Step(
                ERIK,
                PROPOSE,
                "This is known issue IDG-2291: the sync only follows direct membership unless told "
                "otherwise. "
                "Workaround until 5.1: use the AD matching rule for nested groups in your filter:\n\n"
                ""
                "```\n(&(objectClass=user)(memberOf:1.2.840.113556.1.4.1941:=CN=Sales,OU=Groups,DC=acme,DC=test))"
                "\n```\n\nRun a full sync afterwards. Does that bring in the missing users?",
                kind=ResponseKind.KNOWN_ISSUE,
                ago=40,
            ),
        ),
    ),
    Story(
        organization="Acme",
        requester=ALICE,
        days_ago=5,
        at="08:55",
        severity=2,
        category="Agent installation",
        subject="Windows agent install fails with error 1603 on Server 2019",
        description=(
            "Pushing the Endpoint Agent 7.0 MSI through our deployment tool fails on every Server 2019 host "
            "with exit code 1603. Windows 10 desktops install fine. The installer log from one host is "
            "attached."
        ),
        product=AGENT,
        version="7.0",
        operating_system="Windows Server",
        os_version="2019 (1809)",
        device_id="ACME-FS-02",
        troubleshooting="Ran the MSI by hand as a local administrator: same error.",
        files=(
            (
                "msiexec-install.log",
                (
                    "MSI (s) (A4:7C) Executing op: ActionStart(Name=InstallDriver,Description=Installing "
                    "driver)",
                    "CustomAction InstallDriver returned actual error code 1603",
                    "Action ended InstallDriver. Return value 3.",
                    "Product: Endpoint Agent 7.0 -- Installation failed.",
                ),
            ),
        ),
        steps=(
            Step(
                ERIK,
                REPLY,
                "Thanks Alice. The standard log stops at the custom action. Please run the installer once "
                "more with verbose logging and attach `install-verbose.log`:\n\n"
                "```\nmsiexec /i EndpointAgent-7.0.msi /l*v install-verbose.log\n```",
                kind=ResponseKind.REQUEST_INFO,
                after=1.5,
            ),
            Step(
                ALICE,
                REPLY,
                "Verbose log attached.",
                after=22,
                files=(
                    (
                        "install-verbose.log",
                        (
                            "InstallDriver: installing idagent.sys filter driver",
                            "InstallDriver: SetupAPI returned 0xE0000101 (a restart is pending)",
                            "CustomAction InstallDriver returned actual error code 1603",
                        ),
                    ),
                ),
            ),
            Step(
                ERIK, NOTE, "0xE0000101 = pending restart. Server builds patched by WSUS last week.", after=23
            ),
            Step(
                PRIYA,
                REPLY,
                "The driver install is refused because a restart is pending on the host. Could you check "
                "`PendingFileRenameOperations` under\n"
                "`HKLM\\SYSTEM\\CurrentControlSet\\Control\\Session Manager` on ACME-FS-02 and, if it is set,"
                " retry the install after a restart? Let us know the result.",
                kind=ResponseKind.REQUEST_INFO,
                ago=30,
            ),
        ),
    ),
    Story(
        organization="Acme",
        requester=BOB,
        days_ago=3,
        at="11:30",
        severity=3,
        category="Certificates",
        subject="How do we rotate the SAML signing certificate before it expires next month?",
        description=(
            "The gateway's own SAML signing certificate expires in five weeks. We have 14 service providers "
            "behind it. What is the least disruptive way to roll over?"
        ),
        product=GATEWAY,
        version="5.0",
        steps=(
            Step(
                ERIK,
                REPLY,
                "The gateway can publish two signing certificates at once:\n\n"
                "1. Add the new certificate as *secondary* (Settings → SAML → Certificates).\n"
                "2. Let your service providers refresh our metadata (most do daily).\n"
                "3. Promote the new certificate to *primary*; keep the old one until it expires.\n\n"
                "I can check the list of your providers that do not refresh metadata automatically, if "
                "useful.",
                kind=ResponseKind.ANSWER,
                after=4,
            ),
            Step(
                BOB, REPLY, "Yes please, send me that list. Three of them are older on-prem apps.", after=24
            ),
        ),
    ),
    Story(
        organization="Acme",
        requester=BOB,
        days_ago=0.15,
        at=None,
        severity=3,
        category="Self-service",
        subject="Password reset links expire immediately",
        description=(
            "Users who request a password reset get the email, but the link says *This link has expired* "
            "even when clicked within a minute."
        ),
        product=GATEWAY,
        version="5.0",
    ),
    # ------------------------------------------------------------------ Northwind MSP: Contoso Dental (Max)
    Story(
        organization="Contoso Dental",
        requester=MAX,
        days_ago=26,
        at="09:15",
        severity=2,
        category="Certificates",
        subject="Dental imaging app: sign-in broken after SAML certificate expiry",
        description=(
            "The SAML certificate Contoso uses for their imaging app expired overnight. Clinics cannot open "
            "patient images. We uploaded a new certificate, but the app still rejects assertions."
        ),
        product=GATEWAY,
        version="5.0",
        device_id="contoso-idgw",
        steps=(
            Step(
                PRIYA,
                REPLY,
                "We see the new certificate on the gateway, but the imaging app's SP metadata still carries "
                "the "
                "old one. Could you send us the app's current SP metadata file?",
                kind=ResponseKind.REQUEST_INFO,
                after=0.8,
            ),
            Step(
                MAX,
                REPLY,
                "Attached is the metadata export from the imaging app.",
                after=2,
                files=(
                    (
                        "imaging-sp-metadata.log",
                        (
                            "entityID=https://imaging.contoso-dental.test/sp",
                            "KeyDescriptor use=signing subject=CN=login.contoso-dental.test (expired)",
                        ),
                    ),
                ),
            ),
            Step(
                PRIYA,
                PROPOSE,
                "The imaging app pins the gateway's certificate. Upload the gateway's new metadata in the "
                "app "
                "(Admin → Authentication → Import IdP metadata) and restart its web service.",
                kind=ResponseKind.ANSWER,
                after=3,
            ),
            Step(MAX, CONFIRM, after=5),
        ),
    ),
    Story(
        organization="Contoso Dental",
        requester=MAX,
        days_ago=1.8,
        at="10:05",
        severity=3,
        category="Multi-factor authentication",
        subject="MFA enrollment QR code not shown in Safari",
        description=(
            "Front-desk staff enrolling on iPads see an empty box where the QR code should be. Chrome on the "
            "same iPads works. Browser console output attached."
        ),
        product=GATEWAY,
        version="5.0",
        operating_system="iPadOS",
        os_version="18.1",
        files=(
            (
                "safari-console.log",
                (
                    "[Error] Refused to load blob:https://login.contoso-dental.test/9b1e… "
                    "because it does not appear in the img-src directive of the Content Security Policy.",
                ),
            ),
        ),
        steps=(
            Step(
                ERIK,
                NOTE,
                "CSP img-src lacks blob: — customised CSP header? Default template allows it.",
                after=2,
            ),
            Step(
                PRIYA,
                REPLY,
                "Has a custom Content-Security-Policy been set on this tenant's login pages? If so, please "
                "paste the header value here.",
                kind=ResponseKind.REQUEST_INFO,
                after=2.5,
            ),
        ),
    ),
    Story(
        organization="Contoso Dental",
        requester=MAX,
        days_ago=4,
        at="08:30",
        severity=2,
        category="Directory sync",
        subject="LDAP sync to Contoso AD stalls every night at “Fetching changes”",
        description=(
            "For the last nights the scheduled LDAP sync hangs at *Fetching changes* and never completes. "
            "New hires cannot sign in the next morning."
        ),
        product=GATEWAY,
        version="5.0",
        device_id="contoso-idgw",
        steps=(
            Step(
                ERIK,
                REPLY,
                "This matches a known issue with paged searches against domain controllers that drop idle "
                "connections after 15 minutes (IDG-2310). A fix is planned for 5.0.4; meanwhile set "
                "`ldap.page_size = 500` so each page returns sooner.",
                kind=ResponseKind.KNOWN_ISSUE,
                after=0.7,
            ),
            Step(ERIK, NOTE, "Asked dev for a 5.0.4 date. Contoso has 3 DCs, only DC02 idles out.", after=1),
            Step(MAX, REPLY, "Page size changed, but the sync stalled again last night.", ago=30),
            Step(
                MAX,
                ESCALATE,
                "Fourth night in a row without a sync: clinics open Monday with staff who cannot sign in.",
                ago=20,
            ),
        ),
    ),
    Story(
        organization="Contoso Dental",
        requester=MAX,
        days_ago=0.07,
        at=None,
        severity=2,
        category="Agent",
        subject="Agent reports “certificate not trusted” on 14 reception PCs",
        description=(
            "Since this morning the Endpoint Agent on the reception PCs shows *certificate not trusted* and "
            "users are asked for their password at every unlock."
        ),
        product=AGENT,
        version="7.0",
        operating_system="Windows",
        os_version="11 23H2",
    ),
    # ------------------------------------------------------------- Northwind MSP: Fabrikam Logistics (Max)
    Story(
        organization="Fabrikam Logistics",
        requester=MAX,
        days_ago=15,
        at="03:10",
        severity=1,
        category="Sign-in / SSO",
        subject="Production down: every warehouse scanner fails SSO with HTTP 502",
        description=(
            "All handheld scanners in the three warehouses fail to sign in since 03:00; the gateway answers "
            "**502 Bad Gateway**. Shipping has stopped."
        ),
        product=GATEWAY,
        version="5.0",
        device_id="fabrikam-idgw-a",
        troubleshooting="Restarted both gateway nodes; failed over to node B; same result.",
        files=(
            (
                "gateway-502.log",
                (
                    "ERROR proxy  upstream https://idp.fabrikam.test/metadata returned 503",
                    "ERROR proxy  metadata refresh failed; no cached copy (cache cleared on restart)",
                    "WARN  http   502 Bad Gateway for POST /saml/acs (x1842 in the last 5 min)",
                ),
            ),
        ),
        steps=(
            Step(
                ERIK,
                REPLY,
                "I am on it. Please join the bridge at your earliest convenience so we can look at the "
                "gateway "
                "together.",
                kind=ResponseKind.SESSION,
                after=0.3,
            ),
            Step(
                ERIK,
                NOTE,
                "Restart cleared the metadata cache and the IdP's metadata URL is down (503). Hotfix 5.0.3 "
                "keeps "
                "the last good metadata on disk.",
                after=0.6,
            ),
            Step(
                PRIYA,
                PROPOSE,
                "Install hotfix 5.0.3 on both nodes; it keeps the last good IdP metadata on disk, so a "
                "restart no "
                "longer depends on the IdP's metadata URL. Sign-ins recover immediately after install.",
                kind=ResponseKind.PATCH,
                after=1.5,
            ),
            Step(MAX, REPLY, "Hotfix installed on both nodes, scanners are signing in again.", after=2.5),
            Step(MAX, CONFIRM, after=6),
        ),
    ),
    Story(
        organization="Fabrikam Logistics",
        requester=MAX,
        days_ago=19,
        at="11:00",
        severity=3,
        category="Directory sync",
        subject="Duplicate accounts created after UPN change",
        description=(
            "After Fabrikam changed UPN suffixes from `fabrikam.local` to `fabrikam.test`, the sync created "
            "a second account for 37 users."
        ),
        product=GATEWAY,
        version="5.0",
        steps=(
            Step(
                PRIYA,
                REPLY,
                "Which attribute is configured as the immutable ID of the sync (Settings → Directory → "
                "Matching)? If it is `userPrincipalName`, that explains the duplicates.",
                kind=ResponseKind.REQUEST_INFO,
                after=2,
            ),
            Step(
                MAX,
                REPLY,
                "It was `userPrincipalName` indeed. We switched to `objectGUID` and merged the 37 accounts "
                "with "
                "the bulk tool. All good, closing.",
                after=28,
            ),
            Step(MAX, CLOSE, after=28.1),
        ),
    ),
    Story(
        organization="Fabrikam Logistics",
        requester=MAX,
        days_ago=2.5,
        at="14:20",
        severity=3,
        category="Provisioning",
        subject="How do we rotate the SCIM bearer token without breaking provisioning?",
        description=(
            "Fabrikam's security policy requires rotating the SCIM token every 90 days. Can we do that "
            "without a provisioning gap?"
        ),
        product=GATEWAY,
        version="5.0",
        steps=(
            Step(
                PRIYA,
                PROPOSE,
                "Two ways, depending on the app:\n\n"
                "- **Overlap** (recommended): create a second token, switch the app, revoke the first.\n"
                "- **Maintenance window**: regenerate the token and update the app within the window; "
                "changes "
                "queue on our side for up to 24 h and replay afterwards.\n\n"
                "Let us know which fits, or confirm if this answers it.",
                kind=ResponseKind.OPTIONS,
                after=3.5,
            ),
        ),
    ),
    Story(
        organization="Fabrikam Logistics",
        requester=MAX,
        days_ago=2,
        at="09:45",
        severity=3,
        category="Agent installation",
        subject="Silent agent install ignores the PROXY= parameter",
        description=(
            "`msiexec /i EndpointAgent-7.0.msi /qn PROXY=http://proxy.fabrikam.test:3128` installs fine, but "
            "the agent then tries to connect directly and times out."
        ),
        product=AGENT,
        version="7.0",
        operating_system="Windows",
        os_version="11 24H2",
        steps=(
            Step(
                ERIK,
                REPLY,
                "The MSI property is `PROXY_URL`, not `PROXY` (see KB-0933 *Silent install parameters*). "
                "Properties the MSI does not know are ignored without a warning.",
                kind=ResponseKind.KB_LINK,
                after=3,
            ),
            Step(MAX, REPLY, "Thanks, trying it on the pilot group today and reporting back.", ago=10),
        ),
    ),
    # ------------------------------------------------------------------ Northwind MSP: Tailspin Clinics (Mia)
    Story(
        organization="Tailspin Clinics",
        requester=MIA,
        days_ago=22,
        at="08:20",
        severity=3,
        category="Access policies",
        subject="Conditional access blocks clinicians on shared kiosks",
        description=(
            "Clinicians using the shared kiosks in exam rooms are blocked by the *Unmanaged device* policy. "
            "The kiosks are managed, but they are not joined to the domain."
        ),
        product=GATEWAY,
        version="5.0",
        steps=(
            Step(
                PRIYA,
                REPLY,
                "The *Unmanaged device* condition trusts devices by domain join or by an installed Endpoint "
                "Agent. Kiosks without either are treated as unmanaged by design. Installing the agent in "
                "kiosk "
                "mode marks them as managed without domain join.",
                kind=ResponseKind.DESIGN,
                after=2,
            ),
            Step(
                PRIYA,
                PROPOSE,
                "Kiosk-mode install: `msiexec /i EndpointAgent-7.0.msi /qn KIOSK=1`. Once the kiosks report "
                "in, "
                "the policy lets clinicians through.",
                kind=ResponseKind.ANSWER,
                after=30,
            ),
            Step(MIA, CONFIRM, after=70),
        ),
    ),
    Story(
        organization="Tailspin Clinics",
        requester=MIA,
        days_ago=9,
        at="07:50",
        severity=2,
        category="Multi-factor authentication",
        subject="Clinicians prompted for MFA at every sign-in despite “remember this device”",
        description=(
            "Since the weekend clinicians get an MFA prompt at every sign-in although they tick *Remember "
            "this device for 30 days*. About 300 users affected."
        ),
        product=GATEWAY,
        version="5.0",
        operating_system="Windows",
        os_version="11 23H2",
        steps=(
            Step(
                ERIK,
                REPLY,
                "Could you attach a gateway debug log covering one sign-in of an affected user (Settings → "
                "Diagnostics → Capture sign-in)?",
                kind=ResponseKind.REQUEST_INFO,
                after=0.5,
            ),
            Step(
                MIA,
                REPLY,
                "Log of a sign-in by a clinician at the Redmond clinic attached.",
                after=5,
                files=(
                    (
                        "signin-capture.log",
                        (
                            "DEBUG mfa  remember-device cookie present (idgw_rd, 31 chars)",
                            "DEBUG mfa  cookie rejected: SameSite=Strict not sent on cross-site POST",
                            "INFO  mfa  challenge required for user jdoe@tailspin-clinics.test",
                        ),
                    ),
                ),
            ),
            Step(
                ERIK,
                NOTE,
                "Cookie SameSite=Strict is set by their reverse proxy, not us. Proposed the proxy change.",
                ago=62,
            ),
            Step(
                ERIK,
                PROPOSE,
                "The remember-device cookie is being rewritten to `SameSite=Strict` by the reverse proxy in "
                "front "
                "of the gateway, so the browser drops it on the SAML POST. Remove the SameSite rewrite for "
                "`idgw_rd` on the proxy; the gateway itself sets `SameSite=None; Secure`.",
                kind=ResponseKind.ANSWER,
                ago=60,
            ),
        ),
    ),
    Story(
        organization="Tailspin Clinics",
        requester=MIA,
        days_ago=3,
        at="13:15",
        severity=3,
        category="Multi-factor authentication",
        subject="Bulk enrollment of YubiKeys for 40 nurses",
        description=(
            "We received 40 YubiKeys for the night-shift nurses. Is there a way to enroll them in bulk "
            "instead of each nurse doing it on her own?"
        ),
        product=GATEWAY,
        version="5.0",
        steps=(
            Step(
                PRIYA,
                REPLY,
                "Bulk enrollment is possible with a CSV of serial numbers and user names. Which YubiKey "
                "model "
                "are they (5 NFC, 5C, Bio), and are they factory-fresh or already programmed?",
                kind=ResponseKind.REQUEST_INFO,
                after=2,
            ),
        ),
    ),
    Story(
        organization="Tailspin Clinics",
        requester=MIA,
        days_ago=1.5,
        at="15:40",
        severity=2,
        category="Agent installation",
        subject="Agent install blocked by Smart App Control on Windows 11",
        description=(
            "New laptops for the clinics come with Smart App Control on. It blocks the agent's helper "
            "service at install time."
        ),
        product=AGENT,
        version="7.0",
        operating_system="Windows",
        os_version="11 24H2",
        device_id="TSC-LT-0419",
        steps=(
            Step(
                ERIK,
                REPLY,
                "Known issue AGT-771: the helper's new signing certificate has not built its reputation with "
                "Smart App Control yet. Workaround: install the agent before Smart App Control leaves "
                "evaluation mode, or use the MSIX package, which is not affected.",
                kind=ResponseKind.KNOWN_ISSUE,
                after=0.5,
            ),
        ),
    ),
    Story(
        organization="Tailspin Clinics",
        requester=MIA,
        days_ago=0.2,
        at=None,
        severity=3,
        category="Audit and reporting",
        subject="Audit log export to Sentinel missing sign-in events since yesterday",
        description=(
            "The Sentinel connector still receives admin events but no sign-in events since yesterday "
            "afternoon."
        ),
        product=GATEWAY,
        version="5.0",
    ),
    # ------------------------------------------------------------------ Enterprise Corp (Enterprise preset)
    Story(
        organization="Enterprise Corp",
        requester=ERIN,
        days_ago=13,
        at="06:50",
        severity=1,
        category="Sign-in / SSO",
        subject="SSO outage: all users get AADSTS50011 after gateway upgrade",
        description=(
            "After upgrading the gateway to 5.0 last night every Microsoft 365 sign-in fails with "
            "`AADSTS50011: The redirect URI specified in the request does not match`. 6,000 users are "
            "affected."
        ),
        product=GATEWAY,
        version="5.0",
        device_id="ent-idgw-cluster",
        files=(
            (
                "upgrade-5.0.log",
                (
                    "INFO  upgrade  migrating relying parties (42)",
                    "WARN  upgrade  relying party m365: reply URL normalised to "
                    "https://login.microsoftonline.com/"
                    "login.srf/",
                    "INFO  upgrade  done in 00:03:12",
                ),
            ),
        ),
        steps=(
            Step(
                PRIYA,
                REPLY,
                "We are looking at it now. Can we start a screen-sharing session right away?",
                kind=ResponseKind.SESSION,
                after=0.25,
            ),
            Step(
                PRIYA,
                NOTE,
                "Upgrade appended a trailing slash to the M365 reply URL. Fixed in 5.0.2 migration.",
                after=0.9,
            ),
            Step(
                PRIYA,
                PROPOSE,
                "The 5.0 upgrade added a trailing slash to the Microsoft 365 reply URL. Remove it under "
                "Relying "
                "parties → m365 → Reply URL, or install 5.0.2, which corrects it on upgrade.",
                kind=ResponseKind.PATCH,
                after=1.5,
            ),
            Step(ERIN, CONFIRM, after=4),
        ),
    ),
    Story(
        organization="Enterprise Corp",
        requester=ERIN,
        days_ago=25,
        at="10:30",
        severity=3,
        category="Administration console",
        subject="Request: longer session timeout for the admin console",
        description=(
            "Our admins are signed out of the console after 15 minutes of inactivity. Can this be raised to "
            "60?"
        ),
        product=GATEWAY,
        version="5.0",
        steps=(
            Step(
                ERIK,
                REPLY,
                "The console timeout is capped at 30 minutes by design (it guards the most privileged "
                "sessions), "
                "configurable under Settings → Security → Console session.",
                kind=ResponseKind.DESIGN,
                after=5,
            ),
            Step(ERIN, REPLY, "Understood, 30 it is.", after=26),
            Step(ERIN, CLOSE, after=26.2),
        ),
    ),
    Story(
        organization="Enterprise Corp",
        requester=ERIN,
        days_ago=6,
        at="09:10",
        severity=2,
        category="Certificates",
        subject="New SAML certificate for Workday not picked up",
        description=(
            "We uploaded Workday's new signing certificate ten days before the old one expires, but the "
            "gateway still validates against the old one."
        ),
        product=GATEWAY,
        version="5.0",
        steps=(
            Step(
                PRIYA,
                REPLY,
                "Please attach the output of `idgw-cli sp show workday` so we can see both certificates.",
                kind=ResponseKind.REQUEST_INFO,
                after=2,
            ),
            Step(
                ERIN,
                REPLY,
                "Here it is.",
                after=20,
                files=(
                    (
                        "sp-show-workday.log",
                        (
                            "sp: workday (https://www.myworkday.test/enterprise)",
                            "certificate[0]: active, notAfter in 10 days",
                            "certificate[1]: uploaded, state=pending_activation",
                        ),
                    ),
                ),
            ),
            Step(
                PRIYA,
                PROPOSE,
                "The new certificate is uploaded but still *pending activation*. Activate it with "
                "`idgw-cli sp cert activate workday --index 1`; both stay valid until the old one expires.",
                kind=ResponseKind.ANSWER,
                ago=20,
            ),
        ),
    ),
    Story(
        organization="Enterprise Corp",
        requester=ERIN,
        days_ago=1.6,
        at="11:45",
        severity=3,
        category="Directory sync",
        subject="Map employeeNumber to the externalId attribute in LDAP sync",
        description=(
            "We need `employeeNumber` from AD as the `externalId` of synced users for our HR integration."
        ),
        product=GATEWAY,
        version="5.0",
        steps=(
            Step(
                ERIK,
                REPLY,
                "That is a custom mapping under Settings → Directory → Attributes. Before we send the exact "
                "mapping: do all users have `employeeNumber` set, or should users without it be skipped?",
                kind=ResponseKind.REQUEST_INFO,
                after=3,
            ),
        ),
    ),
    Story(
        organization="Enterprise Corp",
        requester=ERIN,
        days_ago=5,
        at="08:05",
        severity=2,
        category="Multi-factor authentication",
        subject="MFA push notifications delayed 2–5 minutes for EU users",
        description=(
            "Users in our Frankfurt and Dublin offices receive MFA push notifications 2 to 5 minutes late; "
            "sign-ins time out before they can approve. US users are fine."
        ),
        product=GATEWAY,
        version="5.0",
        operating_system="iOS / Android",
        steps=(
            Step(
                PRIYA,
                REPLY,
                "Known issue with our EU push relay since last week's maintenance; engineering is rerouting "
                "it. "
                "Workaround: EU users can approve with the TOTP code in the app.",
                kind=ResponseKind.KNOWN_ISSUE,
                after=1,
            ),
            Step(PRIYA, NOTE, "Linked to incident INC-3312 (EU push relay).", after=1.1),
            Step(ERIN, REPLY, "Still delayed today; our EU staff are losing patience.", ago=30),
            Step(
                ERIN, ESCALATE, "Five days of delayed sign-ins for 900 EU employees; please escalate.", ago=24
            ),
        ),
    ),
    Story(
        organization="Enterprise Corp",
        requester=ERIN,
        days_ago=0.1,
        at=None,
        severity=3,
        category="Agent installation",
        subject="Agent MSI fails on Windows Server 2022 Core",
        description="The agent MSI exits with 1603 on Server Core installations (no desktop experience).",
        product=AGENT,
        version="7.0",
        operating_system="Windows Server",
        os_version="2022 Core",
    ),
]


def _received(story: Story, now: datetime.datetime, time_zone: str) -> datetime.datetime:
    """When the case came in: days_ago before now, moved back to the story's time of day on a weekday."""
    moment = now - datetime.timedelta(days=story.days_ago)
    if story.at is None:
        return moment
    zone = ZoneInfo(time_zone)
    hour, minute = (int(part) for part in story.at.split(":"))
    day = moment.astimezone(zone).date()
    while True:
        candidate = datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=zone)
        if candidate <= moment and candidate.weekday() < 5:
            return candidate
        day -= datetime.timedelta(days=1)


def _log_file(name: str, lines: tuple[str, ...], when: datetime.datetime) -> SimpleUploadedFile:
    start = when.astimezone(datetime.UTC) - datetime.timedelta(seconds=len(lines))
    stamped = [
        f"{start + datetime.timedelta(seconds=i):%Y-%m-%dT%H:%M:%S}Z {line}" for i, line in enumerate(lines)
    ]
    return SimpleUploadedFile(name, ("\n".join(stamped) + "\n").encode(), content_type="text/plain")


def _backdate(case: Case, when: datetime.datetime, *, events_after: int, attachments_after: int) -> None:
    """The services stamp events and attachments with the clock: in the story they happened at `when`."""
    CaseEvent.objects.filter(case=case, pk__gt=events_after).update(created_at=when)
    Attachment.objects.filter(case=case, pk__gt=attachments_after).update(created_at=when)


def _last_pk(model, case: Case) -> int:
    return model.objects.filter(case=case).order_by("-pk").values_list("pk", flat=True).first() or 0


def _play(case: Case, step: Step, people: dict[str, User], when: datetime.datetime) -> None:
    actor = people[step.who]
    files = [_log_file(name, lines, when) for name, lines in step.files]
    events_after, attachments_after = _last_pk(CaseEvent, case), _last_pk(Attachment, case)
    if step.do in (REPLY, NOTE, PROPOSE):
        ticket_reply(
            case=case,
            author=actor,
            body=step.body,
            internal=step.do == NOTE,
            kind=step.kind,
            propose_solution=step.do == PROPOSE,
            attachments=files,
            now=when,
        )
    elif step.do == CONFIRM:
        ticket_confirm(case=case, actor=actor)
        Case.objects.filter(pk=case.pk).update(closed_at=when)
    elif step.do == CLOSE:
        ticket_close(case=case, actor=actor)
        Case.objects.filter(pk=case.pk).update(closed_at=when)
    elif step.do == ESCALATE:
        ticket_escalate(case=case, actor=actor, reason=step.body)
        Case.objects.filter(pk=case.pk).update(escalated_at=when)
    else:
        raise ValueError(f"Unknown demo step {step.do!r}")
    _backdate(case, when, events_after=events_after, attachments_after=attachments_after)


@transaction.atomic
def demo_cases_seed(*, now: datetime.datetime | None = None) -> int:
    """File the demo cases and play their stories up to `now` (default: the clock). Returns how many cases
    it filed: none when the paying demo accounts already have cases. Expects demo_seed() to have run.

    Stories that end waiting on the customer entered that wait in the last few days, so auto-close
    (domain.md §6) does not close them as soon as the demo starts.
    """
    now = now or timezone.now()
    if Case.objects.filter(account__name__in=PAYING_ACCOUNTS).exists():
        return 0
    emails = {email for story in STORIES for email in (story.requester, *story.cc)}
    emails |= {step.who for story in STORIES for step in story.steps}
    people = {user.email: user for user in User.objects.filter(email__in=emails)}
    organizations = {org.name: org for org in Organization.objects.filter(account__name__in=PAYING_ACCOUNTS)}
    versions = {
        (version.product.name, version.name): version for version in Version.objects.select_related("product")
    }
    products = {product.name: product for product in Product.objects.all()}

    # Filed oldest first, so case numbers grow with the time received.
    received = {id(story): _received(story, now, people[story.requester].time_zone) for story in STORIES}
    for story in sorted(STORIES, key=lambda story: received[id(story)]):
        requester, at = people[story.requester], received[id(story)]
        case = ticket_create(
            requester=requester,
            organization=organizations[story.organization],
            category=story.category,
            subject=story.subject,
            description=story.description,
            requested_severity=story.severity,
            best_time_from=datetime.time(8, 0),
            best_time_to=datetime.time(17, 0),
            contact_time_zone=requester.time_zone,
            product=products[story.product] if story.product else None,
            version=versions[(story.product, story.version)] if story.version else None,
            device_id=story.device_id,
            operating_system=story.operating_system,
            os_version=story.os_version,
            troubleshooting=story.troubleshooting,
            cc=[people[email] for email in story.cc],
            attachments=[_log_file(name, lines, at) for name, lines in story.files],
            received_at=at,
        )
        _backdate(case, at, events_after=0, attachments_after=0)
        last = at
        for step in story.steps:
            if step.after is not None:
                when = at + datetime.timedelta(hours=step.after)
            else:
                when = now - datetime.timedelta(hours=step.ago)
            if not last < when <= now:
                raise ValueError(f"Demo case {story.subject!r}: step {step.do} at {when} is out of order.")
            _play(case, step, people, when)
            last = when
        Case.objects.filter(pk=case.pk).update(created_at=at, updated_at=last)
    return len(STORIES)
