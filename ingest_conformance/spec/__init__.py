"""The contract files: the OpenAPI description, the requirement catalogue and the client requirements.

Shipped inside the package as ``ingest_conformance.spec`` so an installed suite finds them.
"""

from pathlib import Path

SPEC_DIR = Path(__file__).resolve().parent
OPENAPI_PATH = SPEC_DIR / "ingest.openapi.yaml"
REQUIREMENTS_PATH = SPEC_DIR / "requirements.yaml"
# What clients (SDKs) are held to; read as data by the SDK harness and by the mock's request validation.
CLIENT_REQUIREMENTS_PATH = SPEC_DIR / "client-requirements.yaml"

__all__ = ["CLIENT_REQUIREMENTS_PATH", "OPENAPI_PATH", "REQUIREMENTS_PATH", "SPEC_DIR"]
