"""`python -m kg` runs the same app as the `kg` command."""
from kg.cli import app

if __name__ == "__main__":
    app(prog_name="kg")
