"""The audit data model: one schema, versioned, and its loading and validation."""

from .model import Audit, AuditError
from .schema import FIELDS, SCHEMA_VERSION, TABLES

__all__ = ["FIELDS", "SCHEMA_VERSION", "TABLES", "Audit", "AuditError"]
