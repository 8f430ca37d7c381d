"""The contract files: the OpenAPI description and the requirement catalogue.

Shipped inside the package as ``ingest_conformance.spec`` so an installed suite finds them.
"""

from pathlib import Path

SPEC_DIR = Path(__file__).resolve().parent
OPENAPI_PATH = SPEC_DIR / "ingest.openapi.yaml"
REQUIREMENTS_PATH = SPEC_DIR / "requirements.yaml"

__all__ = ["OPENAPI_PATH", "REQUIREMENTS_PATH", "SPEC_DIR"]
