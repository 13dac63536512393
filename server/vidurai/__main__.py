"""`python -m vidurai …` runs the CLI; `python -m vidurai serve` runs the language server."""

from vidurai import generated_code

if __name__ == "__main__":
    generated_code.reuse()  # before the imports whose classes it speeds up
    from vidurai.cli import main

    raise SystemExit(main())
