"""sessionloom for Python: the sessions of a sessionloom server, over its HTTP API.

    from sessionloom import Client

    client = Client("http://127.0.0.1:4300", token="...")
    session = client.create_session(user_id="user-7", metadata={"topic": "billing"})
    client.append(session.id, {"role": "user", "content": "Why was I charged twice?"})

Standard library only. Method and field names are the TypeScript ones in snake_case; errors are
the TypeScript classes with the same ``code``.
"""

from . import errors as _errors
from . import models as _models
from ._follow import RunFollower
from ._version import __version__
from ._arguments import MessageInput, RunInput
from .client import Client
from .errors import *  # noqa: F403  (the names of errors.__all__)
from .models import *  # noqa: F403  (the names of models.__all__)
from .session import SessionHandle

__all__ = [
    "__version__",
    "Client",
    "SessionHandle",
    "RunFollower",
    "MessageInput",
    "RunInput",
]
__all__ += _errors.__all__
__all__ += _models.__all__
