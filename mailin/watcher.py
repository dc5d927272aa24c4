"""The IMAP mailbox watched with IDLE (RFC 2177): a message becomes a case seconds after it arrives, not at
the next poll.

`manage.py mail_watch` runs `mail_watch()`. One long-lived connection (imapclient: Python's imaplib has no
IDLE) waits in IDLE on MAILIN_IMAP_FOLDER. When the server announces new mail (EXISTS), the watcher runs the
poll's own IMAP pass, `sources.imap_poll_locked()`: the same poll lock, the same fetch by UID in batches, the
same flag (or move) after commit, the same Message-ID record. So beat's `mail-poll` stays as the safety net
and running both never ingests a message twice; a watcher killed mid-batch leaves committed messages
unflagged, and the next pass (its own after a restart, or beat's) finds them recorded and only flags them.

- IDLE is renewed every `renew_every` seconds (10 minutes: well inside the 29 minutes after which RFC 2177
  lets a server drop an idle client, and inside common NAT idle timeouts). Renewing also notices a
  connection that died without a word (DONE gets no answer within the socket timeout).
- A dropped connection (or a database that went away) is retried with backoff, 1 s doubling to 60 s,
  starting again from 1 s once a connection is back in IDLE.
- A server without IDLE: the watcher says so and stops; beat's poll does the work.
- One pass on start (mail that came while no one watched), then one per EXISTS. If beat's poll holds the
  lock, the pass is tried again every few seconds until it runs.
"""

import logging
import time

from django.conf import settings
from django.db import DatabaseError, close_old_connections
from imapclient import IMAPClient
from imapclient.exceptions import IMAPClientError

from mailin.sources import POLL_LIMIT, imap_poll_locked

logger = logging.getLogger(__name__)

IDLE_RENEW = 10 * 60
# Seconds to wait before trying a pass again while another poller holds the lock.
LOCK_RETRY = 2.0
BACKOFF_FIRST, BACKOFF_MAX = 1.0, 60.0
# Seconds a connect or a command (DONE included) may take before the connection counts as dead.
SOCKET_TIMEOUT = 60


class IdleUnsupported(Exception):
    """The server does not offer IDLE: the poll alone fetches the mail."""


def mail_watch(*, renew_every: float = IDLE_RENEW) -> None:
    """Watch the mailbox until the process is stopped (see the module docstring). Raises IdleUnsupported
    when the server has no IDLE; every other failure is retried with backoff."""
    backoff = BACKOFF_FIRST
    while True:
        client = None
        try:
            client = _connect()
            if not client.has_capability("IDLE"):
                raise IdleUnsupported(
                    f"{settings.MAILIN_IMAP_HOST} does not offer IMAP IDLE: beat's poll "
                    f"(every {settings.MAILIN_POLL_EVERY} s) fetches the mail."
                )
            client.select_folder(settings.MAILIN_IMAP_FOLDER, readonly=True)
            logger.info(
                "Mail watcher: IDLE on %s at %s.", settings.MAILIN_IMAP_FOLDER, settings.MAILIN_IMAP_HOST
            )
            pending = True  # the first pass takes the mail that came while no one watched
            while True:
                if pending:
                    pending = not _pass()
                # NOOP syncs this connection's view of the folder: mail that came during the pass is
                # announced here (in IDLE, Dovecot announces only what changes after IDLE began).
                if not pending and any(_is_new_mail(response) for response in client.noop()[1]):
                    pending = True
                    continue
                client.idle()
                backoff = BACKOFF_FIRST  # back in IDLE: the next failure starts over from 1 s
                # Returns on news from the server, at the renewal time, or at once on a closed connection;
                # while another poller holds the lock, after a few seconds to try the pass again.
                responses = client.idle_check(timeout=LOCK_RETRY if pending else renew_every)
                # Ends IDLE, with what the server said meanwhile; on a dead connection this raises (or
                # times out), and we connect again.
                responses += client.idle_done()[1]
                pending = pending or any(_is_new_mail(response) for response in responses)
        except (OSError, IMAPClientError, DatabaseError) as error:
            logger.warning(
                "Mail watcher: %s: %s; trying again in %.0f s.", type(error).__name__, error, backoff
            )
            close_old_connections()
            time.sleep(backoff)
            backoff = min(backoff * 2, BACKOFF_MAX)
        finally:
            if client is not None:
                _close(client)


def _connect() -> IMAPClient:
    client = IMAPClient(
        settings.MAILIN_IMAP_HOST,
        port=settings.MAILIN_IMAP_PORT,
        ssl=settings.MAILIN_IMAP_SSL,
        timeout=SOCKET_TIMEOUT,
    )
    client.login(settings.MAILIN_IMAP_USER, settings.MAILIN_IMAP_PASSWORD)
    return client


def _is_new_mail(response) -> bool:
    """`* 12 EXISTS`: the folder has a message more (imapclient parses it as (12, b"EXISTS"))."""
    return len(response) >= 2 and response[1] == b"EXISTS"


def _pass() -> bool:
    """The poll's IMAP pass (until the folder is drained); False when another poller holds the lock."""
    close_old_connections()
    try:
        while True:
            taken = imap_poll_locked()
            if taken is None:
                return False
            if taken:
                logger.info("Mail watcher: %s message(s) taken from the mailbox.", taken)
            if taken < POLL_LIMIT:
                return True
    finally:
        close_old_connections()


def _close(client: IMAPClient) -> None:
    """Close the socket without a LOGOUT: the connection may be dead, or in IDLE (where LOGOUT is no
    command the server expects); the server ends the session when the socket closes."""
    try:
        client.shutdown()
    except OSError:
        pass  # already closed
