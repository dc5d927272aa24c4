"""Mail servers faked for tests: the outside world is, our code is not."""

import os
import smtplib
import time
import uuid

from django.core.mail.backends.base import BaseEmailBackend
from django.core.mail.backends.filebased import EmailBackend as FileBackend


class RefusingBackend(BaseEmailBackend):
    """A mail server that is there but takes nothing."""

    def send_messages(self, email_messages):
        raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")


class SlowFileBackend(FileBackend):
    """A slow mail server: each message takes a tenth of a second, then lands in a file of its own."""

    def _get_filename(self):
        if self._fname is None:
            self._fname = os.path.join(self.file_path, f"{uuid.uuid4().hex}.log")
        return self._fname

    def send_messages(self, email_messages):
        time.sleep(0.1)
        return super().send_messages(email_messages)
