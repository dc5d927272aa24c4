"""Where mail comes from: an IMAP mailbox and, on the embedded default, a drop folder of .eml files.

Every source hands the raw bytes to `mail_ingest`, which commits, and only then marks the message done at the
source (IMAP: flag \\Seen, or move to MAILIN_IMAP_PROCESSED_FOLDER; folder: move the file to processed/). A
poller that dies between the two leaves the message to be fetched again; the second ingest finds its
Message-ID recorded and does nothing, and the message is marked done then. Each message becomes a case once.
(The webhook and `manage.py ingest_email` call `mail_ingest` directly: their caller retries on an error.)
"""

import contextlib
import imaplib
import logging
from collections.abc import Iterator
from pathlib import Path

from django.conf import settings
from django.db import connection

from mailin.models import Source
from mailin.services import mail_ingest

logger = logging.getLogger(__name__)

# Messages fetched per IMAP round trip, and flagged together once each of them has committed.
IMAP_BATCH = 25
# The most messages one poll takes (the next poll takes the rest).
POLL_LIMIT = 2000
# One poller at a time (PostgreSQL session lock: freed when its connection ends, also on a SIGKILL).
POLL_LOCK = 0x6D61696C  # "mail"


def mail_poll() -> int:
    """One pass over every configured source; returns how many messages it ingested (repeats included)."""
    with _poll_lock() as got_it:
        if not got_it:
            return 0
        count = 0
        if settings.MAILIN_IMAP_HOST:
            count += imap_poll()
        if settings.MAILIN_DROP_FOLDER:
            count += folder_scan(folder=Path(settings.MAILIN_DROP_FOLDER))
        return count


def imap_poll_locked() -> int | None:
    """The IMAP part of the poll, under the same lock: what the IDLE watcher (mailin/watcher.py) runs when
    the server announces new mail. None when another poller holds the lock (it will be tried again)."""
    with _poll_lock() as got_it:
        if not got_it:
            return None
        return imap_poll()


@contextlib.contextmanager
def _poll_lock() -> Iterator[bool]:
    if connection.vendor != "postgresql":
        yield True  # the embedded default: one beat, one worker
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s)", [POLL_LOCK])
        got_it = cursor.fetchone()[0]
    try:
        yield got_it
    finally:
        if got_it:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s)", [POLL_LOCK])


def imap_connect() -> imaplib.IMAP4:
    """A logged-in connection to the support mailbox of the settings."""
    imap_class = imaplib.IMAP4_SSL if settings.MAILIN_IMAP_SSL else imaplib.IMAP4
    imap = imap_class(settings.MAILIN_IMAP_HOST, settings.MAILIN_IMAP_PORT, timeout=60)
    imap.login(settings.MAILIN_IMAP_USER, settings.MAILIN_IMAP_PASSWORD)
    return imap


def imap_poll(*, limit: int = POLL_LIMIT) -> int:
    """Ingest the messages waiting in the mailbox folder (unseen ones, or all when processed mail is moved
    away), by UID, in batches; each batch is flagged or moved once all of it has committed."""
    imap = imap_connect()
    try:
        _check(imap.select(_quoted(settings.MAILIN_IMAP_FOLDER)))
        moving = bool(settings.MAILIN_IMAP_PROCESSED_FOLDER)
        uids = _check(imap.uid("SEARCH", None, "ALL" if moving else "UNSEEN"))[0].split()[:limit]
        for start in range(0, len(uids), IMAP_BATCH):
            batch = b",".join(uids[start : start + IMAP_BATCH])
            for raw in _fetch(imap, batch):
                mail_ingest(raw=raw, source=Source.IMAP)
            if moving:
                _check(imap.uid("MOVE", batch, _quoted(settings.MAILIN_IMAP_PROCESSED_FOLDER)))
            else:
                _check(imap.uid("STORE", batch, "+FLAGS.SILENT", "(\\Seen)"))
        return len(uids)
    finally:
        with contextlib.suppress(OSError, imaplib.IMAP4.error):
            imap.logout()


def _fetch(imap: imaplib.IMAP4, uids: bytes) -> list[bytes]:
    """The raw messages of `uids`, in UID order. BODY.PEEK: fetching does not mark them seen."""
    response = _check(imap.uid("FETCH", uids, "(UID BODY.PEEK[])"))
    found = []
    for item in response:
        if isinstance(item, tuple):
            found.append(item[1])
    return found


def _check(answer):
    status, data = answer
    if status != "OK":
        raise imaplib.IMAP4.error(f"IMAP said {status}: {data!r}")
    return data


def _quoted(folder: str) -> str:
    return '"' + folder.replace("\\", "\\\\").replace('"', '\\"') + '"'


def folder_scan(*, folder: Path, limit: int = POLL_LIMIT) -> int:
    """Ingest the .eml files dropped into `folder` (oldest first), moving each to `processed/` beside it
    once committed. The embedded default's way in: drop a file into var/mail/inbox/ and see a case."""
    folder.mkdir(parents=True, exist_ok=True)
    processed = folder.parent / "processed"
    processed.mkdir(exist_ok=True)
    files = sorted(folder.glob("*.eml"), key=lambda path: (path.stat().st_mtime, path.name))[:limit]
    for path in files:
        message = mail_ingest(raw=path.read_bytes(), source=Source.FOLDER)
        path.replace(processed / f"{message.pk}-{path.name}")
        logger.info("Ingested %s: %s", path.name, message.get_outcome_display())
    return len(files)
