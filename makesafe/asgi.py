"""
ASGI config for makesafe project.

It exposes the ASGI callable as a module-level variable named ``application``.

For more information on this file, see
https://docs.djangoproject.com/en/5.2/howto/deployment/asgi/
"""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "makesafe.settings")

application = get_asgi_application()

# A server with DEBUG off never starts with the laptop's key or database (makesafe/checks.py).
from makesafe.checks import refuse_unsafe_start  # noqa: E402 - needs the settings set up above

refuse_unsafe_start()

# ...nor as a database role that could rewrite the logs and history (makesafe/dbroles.py).
from makesafe.dbroles import refuse_privileged_role  # noqa: E402 - needs the settings set up above

refuse_privileged_role()
