"""The bundled mock of the Invofox Ingest API: a documented-behaviour target for the suite and a
stand-in for SDK teams' CI. It shares only the OpenAPI file with the rest of the package, never
validation code, so suite and mock cannot agree by construction.

    from ingest_conformance.mock import MockSettings, run_mock
    with run_mock(MockSettings(quiet=True)) as mock:
        ...  # mock.base_url
"""

from .server import RunningMock, run_mock, serve
from .settings import MockSettings

__all__ = ["MockSettings", "RunningMock", "run_mock", "serve"]
