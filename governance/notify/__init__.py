"""Notifications: what members are told, by mail and on the start page, and their choices.

The top domain: it listens to the events of every domain below (provides.py), records who is
told what (services.py), and has the worker write the mails in each recipient's language
(mails.py, worker.py). A member switches the optional mails off on their page (views.py); the
notices of an assembly and of a supplement (§46 GenG) cannot be switched off.
"""

from governance.notify import provides, worker  # noqa: F401  (signal receivers, the job kind)
