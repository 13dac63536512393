"""`python -m vidurai …` runs the CLI; `python -m vidurai serve` runs the language server."""

from vidurai.cli import main

if __name__ == "__main__":
    raise SystemExit(main())
