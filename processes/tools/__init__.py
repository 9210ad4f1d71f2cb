"""Bootstrap generators for the diagrams and tables in processes/ (see build.py)."""
