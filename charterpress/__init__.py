"""Charterpress: publish customer-service charters and their SOP handbook from YAML."""

from __future__ import annotations

__version__ = "0.1.0"
