#!/usr/bin/env python3
"""Charterpress entry point: python build.py [COMMAND] [--site DIR] ...  (see --help)."""

from __future__ import annotations

import sys
from pathlib import Path

if __name__ == "__main__":
    # Run from a checkout without installing: the package sits beside this file.
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from charterpress.cli import run

    run()
