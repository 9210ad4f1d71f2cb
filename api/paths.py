"""Where the project's own folders are (migrations ship beside the packages)."""

from engine.config import ROOT

MIGRATIONS_DIR = ROOT / "migrations"
