"""What tickets announces to the apps built on cases (lower layers announce, higher layers act)."""

from django.dispatch import Signal

# A reply (public or internal) was added to a case, inside the write's transaction: `reply`, `case`. A
# receiver's writes commit or roll back with the reply. The knowledge base counts the articles it links.
reply_posted = Signal()
