"""``python -m cpxl`` runs the cpxl command."""

from .cli import main

main(prog_name="cpxl")
